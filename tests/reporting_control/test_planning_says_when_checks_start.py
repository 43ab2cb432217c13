"""Found: planning an update for 12 January said "Its checks before issue are now due (chain C)",
though the first check was weeks away. It says when the first one falls due."""

from django.urls import reverse

from escalation.models import StepRun
from providers.templatetags.nhsuk import on_at
from reporting_control.models import ReportingUpdate
from tests.reporting_control.conftest import next_issue_at


def test_planning_names_when_the_first_check_falls_due(client, sign_in, compliance_manager):
    sign_in(compliance_manager)
    response = client.post(
        reverse("reporting_control:update_create"),
        {
            "title": "Quarterly CQC update",
            "audience": "regulator",
            "issue_at": next_issue_at().strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    update = ReportingUpdate.objects.get(title="Quarterly CQC update")
    first = StepRun.objects.filter(chain_run__object_id=update.pk, chain_run__chain__code="C").order_by(
        "due_at"
    )[0]
    assert (
        f"Its checks before issue are scheduled (chain C), the first due {on_at(first.due_at)}"
        in response.text
    )
    assert "are now due" not in response.text
