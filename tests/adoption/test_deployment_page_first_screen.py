"""A registered manager on the care-home floor opens the deployment page on a phone: the first thing
under the title is what needs doing now (the groups weak now, the overdue checks, the next ones due),
and the long sections (each group's figures, every observation, every check) follow, folded into
NHS.UK details that a keyboard opens, with nothing left out of the page.

The learning went live at Elm House on Monday 23 November 2026 at 09:00; it is Tuesday noon."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from adoption import chain, services
from escalation.choices import StepRunState
from providers.templatetags.nhsuk import london
from tests.accessibility import assert_accessible

from .conftest import at, deploy, ready_to_close

pytestmark = pytest.mark.django_db

RISK_NOTES = "risk_note_updates_same_shift_pct"
RISK_NOTES_LABEL = "Risk-note updates entered within the same shift after the new escalation rule"


class _Page(HTMLParser):
    """The page's text, links and charts in reading order, each marked with the fold (<details>) it
    sits in, None when it shows without opening anything; and the h2 headings under its h1, in order
    (a notice above the title is not part of this page)."""

    def __init__(self):
        super().__init__()
        self.items: list[tuple[int | None, str, str]] = []  # (fold, kind, value)
        self.folds: list[dict] = []
        self.h2: list[str] = []
        self._open_folds: list[int] = []
        self._in_h2 = False
        self._after_h1 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details":
            self.folds.append({"open": "open" in attrs, "class": attrs.get("class") or "", "summary": ""})
            self._open_folds.append(len(self.folds) - 1)
        elif tag == "a" and attrs.get("href"):
            self.items.append((self.fold, "link", attrs["href"]))
        elif tag == "svg":
            self.items.append((self.fold, "chart", ""))
        elif tag == "h1":
            self._after_h1 = True
        elif tag == "h2" and self._after_h1:
            self._in_h2 = True
            self.h2.append("")

    def handle_endtag(self, tag):
        if tag == "details" and self._open_folds:
            self._open_folds.pop()
        elif tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            return
        self.items.append((self.fold, "text", text))
        if self._in_h2:
            self.h2[-1] = f"{self.h2[-1]} {text}".strip()

    @property
    def fold(self) -> int | None:
        return self._open_folds[-1] if self._open_folds else None

    def shown_text(self) -> str:
        """What reads without opening a fold (a fold's own summary line included)."""
        return " ".join(value for fold, kind, value in self.items if kind == "text" and fold is None)

    def folds_of(self, kind: str, value: str) -> set[int | None]:
        """The folds holding the link `value` (or text containing it); empty when not on the page."""
        return {
            fold
            for fold, item_kind, item in self.items
            if item_kind == kind and (item == value if kind == "link" else value in item)
        }

    def fold_of(self, kind: str, value: str) -> int | None:
        """The one fold holding `value` (None: shown at once); an error when not on the page once."""
        (fold,) = self.folds_of(kind, value)
        return fold

    def in_fold(self, fold: int, kind: str) -> list[str]:
        return [value for f, k, value in self.items if f == fold and k == kind]


def read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture
def deployment(match, people, teams, time_machine):
    """Oak's early-shift risk notes at 98 % and Yew's late-shift ones at 88 %: Yew is weak now."""
    time_machine.move_to(at(24, 12), tick=False)
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    for team, shift, value, when in (("Oak", "early", 98, at(23, 14)), ("Yew", "late", 88, at(23, 15))):
        services.record_team_observation(
            deployment,
            by=people.clinical_lead,
            step_code="B2",
            values={RISK_NOTES: value},
            team=teams[team],
            shift_name=shift,
            observed_at=when,
        )
    return deployment


def open_page(client, deployment, people, **query):
    client.force_login(people.registered_manager)
    response = client.get(reverse("adoption:deployment_detail", args=[deployment.pk]), query)
    assert response.status_code == 200
    return response


def checks_by_state(deployment):
    """The case's open checks as the engine keeps them: overdue ones (deadline passed) and due ones."""
    runs = list(chain.run_for(deployment).step_runs.order_by("due_at", "code"))
    now = at(24, 12)
    overdue = [s for s in runs if s.state in (StepRunState.DUE, StepRunState.OVERDUE) and s.due_at <= now]
    due = [s for s in runs if s.state == StepRunState.DUE and s.due_at > now]
    return runs, overdue, due


def test_what_needs_doing_now_comes_first_and_the_long_sections_after_it(client, deployment, people):
    response = open_page(client, deployment, people)
    page = read(response.text)
    _, overdue, due = checks_by_state(deployment)
    oldest, soonest = overdue[0], due[0]

    assert page.h2[0] == "What needs doing now"
    shown = page.shown_text()
    in_reading_order = [
        "What needs doing now",
        "Team Yew: Risk-note updates",  # the weak group, with its latest figure
        f"{len(overdue)} checks overdue",
        f"was due {london(oldest.due_at)}",
        "Due next",
        f"due by {london(soonest.due_at)}",
        "By team, shift and location",
        "Observations as recorded",
        "Adoption checks, in date order",
    ]
    positions = [shown.index(words) for words in in_reading_order]
    assert positions == sorted(positions), "what to do comes before the long sections"
    assert "latest 88 on Mon 23 Nov 2026, 15:00" in shown
    # The oldest overdue check and the next one due are links, shown without opening anything.
    assert None in page.folds_of("link", oldest.get_absolute_url())
    assert None in page.folds_of("link", soonest.get_absolute_url())
    assert 'href="#record"' in response.text, "a way straight to the observation form"
    assert_accessible(response.text)


def test_the_long_sections_are_folded_with_nothing_left_out(client, deployment, people):
    page = read(open_page(client, deployment, people).text)
    runs, _, _ = checks_by_state(deployment)

    assert page.folds and all("nhsuk-details" in fold["class"] for fold in page.folds)
    assert not any(fold["open"] for fold in page.folds), "folded until the person opens them"
    # Every check of the case is still on the page, in one fold: the whole timeline (the top of the
    # page names a few of them again).
    folded = [page.folds_of("link", run.get_absolute_url()) - {None} for run in runs]
    assert len(runs) > 20 and all(len(folds) == 1 for folds in folded)
    assert len(set.union(*folded)) == 1
    # Every observation, folded.
    for recorded in deployment.observations.all():
        assert page.fold_of("text", recorded.group_label) is not None
    # The comparison's table sits in one fold with its chart, and its rows are all there.
    table = page.fold_of("text", f"{RISK_NOTES_LABEL} by team, shift and location")
    assert table is not None and page.in_fold(table, "chart")
    folded = " ".join(page.in_fold(table, "text"))
    for group in ("Team: Oak", "Team: Yew", "Shift: early", "Shift: late"):
        assert group in folded


def test_a_later_page_of_observations_opens_their_fold(client, deployment, people, teams):
    for minute in range(10):  # twelve observations: ten a page
        services.record_team_observation(
            deployment,
            by=people.clinical_lead,
            step_code="B2",
            values={RISK_NOTES: 95},
            team=teams["Ash"],
            observed_at=at(24, 9, minute),
        )
    first = read(open_page(client, deployment, people).text)
    second = read(open_page(client, deployment, people, page=2).text)
    observations = second.fold_of("text", "Oak, early shift")  # the oldest, on page 2
    assert observations is not None and second.folds[observations]["open"]
    newest = deployment.observations.latest("observed_at")
    correct_newest = reverse("adoption:correct_observation", args=[newest.pk])
    assert not first.folds[first.fold_of("link", correct_newest)]["open"]


def test_once_closed_the_page_says_there_is_nothing_more_to_do(client, match, people, time_machine):
    time_machine.move_to(at(24, 12), tick=False)
    deployment = deploy(match, people.registered_manager, deployed_at=at(23, 9))
    ready_to_close(deployment, people)
    services.close_deployment(deployment, by=people.registered_manager, reason="Aligned everywhere.")
    shown = read(open_page(client, deployment, people).text).shown_text()
    assert "Live monitoring has ended: there is nothing more to record." in shown
    assert "checks overdue" not in shown and "Due next" not in shown
