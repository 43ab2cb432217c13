"""Every page of the demo, opened by the person who uses it, on a small phone (320 px), a phone (390 px),
a tablet (768 px) and a laptop (1280 px): the page never scrolls sideways, on a phone no table cell,
link or field lies past the screen's edge (in a region scrolled sideways), no stacked table cell is
split into narrow columns, no chart label is drawn under 12 px, and axe-core finds no accessibility
problem of any impact. Provider-level people pass the second step first, or each of their pages
would be the step's own.

axe-core comes from the axe-playwright-python package and is injected into each page; the browser
context bypasses the Content Security Policy for that (and only in this test, never in the app).
"""

from dataclasses import dataclass
from io import StringIO

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.core.management import call_command
from django.urls import reverse

from adoption.models import AdoptionObservation, Deployment
from escalation.models import ChainRun, Escalation, StepRun
from learning_transfer.models import Incident, LearningNotice, LearningTrigger, MatchedService
from providers.models import RoleAssignment, Service
from reporting_control.models import ReportingUpdate
from tests.browser.conftest import log_in
from tests.browser.screens import OUT_OF_REACH, SMALLEST_CHART_LABEL, SPLIT_CELLS, TOO_WIDE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (320, 390, 768, 1280)
PHONE = 390  # up to this width every table cell, link, button and field must be on the screen
PASSWORD = "every-page-fits-2026"

# axe-core's rules for WCAG 2.0 to 2.2 (A and AA) and its best practices, at every impact.
AXE_RUN = """axe.run(document, {resultTypes: ["violations"], runOnly: {type: "tag", values:
  ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})"""


@dataclass
class Problem:
    who: str
    path: str
    width: int
    what: str

    def __str__(self):
        return f"{self.who} {self.path} at {self.width} px: {self.what}"


def pages_by_person() -> dict[str | None, list[str]]:
    """The demo's pages, each under the login of the person whose work it is (None: signed out)."""
    issued = LearningTrigger.objects.filter(status="issued").first()
    closed = LearningTrigger.objects.filter(status="closed").first()
    match = MatchedService.objects.filter(trigger=issued, included=True).first()
    deployment = Deployment.objects.select_related("service").first()
    rowan = deployment.service
    undeployed = MatchedService.objects.filter(service=rowan, included=True, deployment__isnull=True).first()
    b_step = StepRun.objects.filter(code="B5").first() or StepRun.objects.filter(code__startswith="B").first()
    held, released = ReportingUpdate.objects.order_by("-pk")[:2]
    pages = {
        None: ["/login/"],
        "quality.director": [
            "/",
            reverse("organisation"),
            reverse("service_detail", args=[Service.objects.get(name="Elm House").pk]),
            reverse("escalation:inbox"),
            reverse("escalation:inbox") + "?show=all",
            reverse(
                "escalation:detail",
                args=[Escalation.objects.filter(step_run__code__startswith="A").first().pk],
            ),
            reverse("escalation:chain_run", args=[ChainRun.objects.filter(chain__code="A").first().pk]),
            reverse("escalation:step_run", args=[StepRun.objects.filter(code="A1").first().pk]),
            reverse("escalation:chains"),
            reverse("learning_transfer:trigger_list"),
            reverse("learning_transfer:trigger_add"),
            reverse("learning_transfer:trigger_detail", args=[issued.pk]),
            reverse("learning_transfer:trigger_detail", args=[closed.pk]),
            reverse("learning_transfer:trigger_learning", args=[issued.pk]),
            reverse("learning_transfer:match_adjust", args=[issued.pk]),
            reverse("learning_transfer:notice_list"),
            reverse("learning_transfer:match_detail", args=[match.pk]),
            reverse("learning_transfer:review_candidates"),
            reverse("learning_transfer:incident_list"),
            reverse("learning_transfer:incident_add"),
            reverse(
                "learning_transfer:incident_review",
                args=[
                    Incident.objects.filter(service__provider=issued.provider)
                    .order_by("-occurred_at")
                    .first()
                    .pk
                ],
            ),
            reverse(
                "learning_transfer:incident_correct",
                args=[
                    Incident.objects.filter(service__provider=issued.provider)
                    .order_by("-occurred_at")
                    .first()
                    .pk
                ],
            ),
            reverse("learning_transfer:import"),
            reverse("two_factor_account"),
            "/this-page-does-not-exist/",
        ],
        "ni": ["/", reverse("learning_transfer:summary"), reverse("escalation:inbox") + "?show=services"],
        "operations.director": [
            "/",
            reverse("learning_transfer:match_lead", args=[match.pk]),
            reverse("learning_transfer:match_exposure", args=[match.pk]),
            reverse("learning_transfer:line_add", args=[match.pk]),
        ],
        "governance.officer": [
            reverse(
                "learning_transfer:notice_owner",
                args=[LearningNotice.objects.filter(matched_service__trigger=issued).first().pk],
            ),
        ],
        "rm.rowancourt": [
            "/",
            reverse("adoption:my_service"),
            reverse("adoption:service", args=[rowan.pk]),
            reverse("adoption:deployment_detail", args=[deployment.pk]),
            reverse("adoption:correct_observation", args=[AdoptionObservation.objects.first().pk]),
            reverse("escalation:step_run", args=[b_step.pk]),
            *([reverse("adoption:deploy", args=[undeployed.pk])] if undeployed else []),
        ],
        "compliance.manager": [
            "/",
            reverse("reporting_control:update_list"),
            reverse("reporting_control:update_create"),
            reverse("reporting_control:update_detail", args=[held.pk]),
            reverse("reporting_control:update_detail", args=[released.pk]),
            reverse("reporting_control:line_create", args=[held.pk]),
            reverse("reporting_control:line_services", args=[held.pk, held.lines.first().pk]),
            reverse("reporting_control:hold_place", args=[held.pk]),
        ],
        "admin": [
            "/",
            reverse("escalation:tune_step", args=["A1"]),
            reverse("working_hours"),
            reverse("people"),
            reverse("person_add"),
            reverse("access_history"),
            reverse("role_remove", args=[RoleAssignment.objects.filter(provider=issued.provider).last().pk]),
        ],
        "commissioner.council": ["/", reverse("reporting_control:commissioner_packs")],
    }
    return pages


def check(page, who, path, width) -> list[Problem]:
    problems = []
    response = page.goto(path)
    expected = 404 if "does-not-exist" in path else 200
    if response.status != expected:
        return [Problem(who, path, width, f"HTTP {response.status}")]
    if not page.url.endswith(path):  # a page that sends the person elsewhere was not the page checked
        return [Problem(who, path, width, f"sent on to {page.url}")]
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > inner_width:
        culprits = ", ".join(page.evaluate(TOO_WIDE))
        problems.append(Problem(who, path, width, f"page is {scroll_width} px wide ({culprits})"))
    if width <= PHONE:
        out_of_reach = page.evaluate(OUT_OF_REACH)
        if out_of_reach:
            shown = ", ".join(repr(name) for name in out_of_reach[:3])
            problems.append(Problem(who, path, width, f"{len(out_of_reach)} things off the screen: {shown}"))
    split = page.evaluate(SPLIT_CELLS)  # wherever a table is stacked (up to a tablet's width)
    if split:
        shown = ", ".join(repr(text) for text in split[:3])
        problems.append(Problem(who, path, width, f"{len(split)} table cells split in columns: {shown}"))
    smallest = page.evaluate(SMALLEST_CHART_LABEL)
    if smallest is not None and smallest < 12:
        problems.append(Problem(who, path, width, f"a chart label renders at {smallest:.1f} px"))
    for violation in page.evaluate(AXE_RUN)["violations"]:
        nodes = violation["nodes"]
        targets = ", ".join(str(node["target"]) for node in nodes[:3])
        what = f"axe {violation['id']} ({violation['impact']}) × {len(nodes)}: {targets}"
        problems.append(Problem(who, path, width, what))
    return problems


def test_every_page_fits_every_screen_and_passes_axe(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", password=PASSWORD, stdout=StringIO())
    problems: list[Problem] = []
    visited = 0
    for who, paths in pages_by_person().items():
        # The CSP would refuse axe-core's script: bypassed here, in the test browser only.
        if who:  # provider-level people pass the second step, or every page would be its set-up page
            page = log_in(browser, live_server, who, PASSWORD, bypass_csp=True)
        else:
            page = browser.new_context(base_url=live_server.url, bypass_csp=True).new_page()
        context = page.context
        context.add_init_script(AXE_SCRIPT)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            for path in paths:
                problems += check(page, who or "signed out", path, width)
                visited += 1
        context.close()
    assert visited >= 30 * len(WIDTHS)
    assert not problems, "\n".join(map(str, problems))
