"""The organisation page's rows of services, written by a tag (providers/templatetags/organisation.py)
rather than by the page's template, are the markup that template wrote (service_rows_reference.html),
row for row: every type and risk level (and one since retired, shown as stored), a registered manager
named or not, no risk tags, one or several. Text a person typed is escaped the same way."""

from itertools import product
from pathlib import Path

import pytest
from django.template import Context, Template

from providers.choices import RiskLevel, RiskTag, ServiceType
from providers.models import Service, ServiceRiskTag, User
from providers.templatetags.organisation import service_row, service_rows

REFERENCE = Template((Path(__file__).parent / "service_rows_reference.html").read_text())


def reference(services: list[Service]) -> str:
    """The rows as the template's loop wrote them."""
    return REFERENCE.render(Context({"services": services}))


def service(service_type: str, risk_level: str, manager: User | None, tags: list[str]) -> Service:
    found = Service(
        pk=17,
        name="Elm <House> & Annexe",
        cqc_location_id="1-<10>",
        service_type=service_type,
        risk_level=risk_level,
        registered_manager=manager,
    )
    found.risk_profile = [ServiceRiskTag(service=found, tag=tag) for tag in tags]
    return found


MANAGERS = [None, User(username="ann", first_name="Ann", last_name="O'Neil & <Sons>")]
TAGS = [[], [RiskTag.FALLS], [RiskTag.FALLS, RiskTag.MEDICATION, "retired_tag"]]


@pytest.mark.parametrize(
    ("service_type", "risk_level"),
    [*product(ServiceType.values, RiskLevel.values), ("retired_type", "retired_level")],
)
@pytest.mark.parametrize("manager", MANAGERS, ids=["no manager", "a manager"])
@pytest.mark.parametrize("tags", TAGS, ids=["no tags", "one tag", "several tags"])
def test_a_services_row_is_the_markup_its_template_wrote(service_type, risk_level, manager, tags):
    shown = [service(service_type, risk_level, manager, tags)]
    assert service_rows(shown) == reference(shown)


def test_rows_follow_one_another_as_the_templates_loop_laid_them_out():
    shown = [
        service(ServiceType.NURSING, RiskLevel.HIGH, manager, tags) for manager in MANAGERS for tags in TAGS
    ]
    assert service_rows(shown) == reference(shown)
    assert service_rows([]) == reference([]) == ""


def test_text_a_person_typed_is_escaped_once():
    row = service_row(service(ServiceType.RESIDENTIAL, RiskLevel.LOW, MANAGERS[1], []))
    assert "Elm &lt;House&gt; &amp; Annexe" in row and "CQC 1-&lt;10&gt;" in row
    assert "O&#x27;Neil &amp; &lt;Sons&gt;" in row
    assert "&amp;amp;" not in row
