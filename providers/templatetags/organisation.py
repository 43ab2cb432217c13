"""The rows of the organisation page's tables of services, one tag a table (`providers/markup.py` says
why: the page lists 50 services). Each row is the markup the template wrote
(tests/providers/service_rows_reference.html keeps it)."""

from django import template
from django.utils.safestring import SafeString

from providers.choices import RiskLevel, ServiceType, label_of
from providers.markup import as_html, cell_markup, filled, link, row_markup, table_rows

from .nhsuk import record_url

register = template.Library()

SERVICE_ROW = row_markup(
    cell_markup("Service", pieces=True),
    cell_markup("Type"),
    cell_markup("Registered manager"),
    cell_markup("Risk level"),
    cell_markup("Risk profile", pieces=True),
)


def service_row(service) -> SafeString:
    """A service: a link to its page with its CQC location id, its type, registered manager, risk level
    and risk profile (`risk_profile`, its tags as a list)."""
    name = link(record_url("service_detail", service.pk), service.name)
    name += f'<span class="nhsuk-body-s">CQC {as_html(service.cqc_location_id)}</span>'
    tags = "".join(
        f'<strong class="nhsuk-tag nhsuk-tag--white">{as_html(tag)}</strong> ' for tag in service.risk_profile
    )
    return filled(
        SERVICE_ROW,
        SafeString(name),
        label_of(ServiceType, service.service_type),
        service.registered_manager or "Not named",
        label_of(RiskLevel, service.risk_level),
        SafeString(tags),
    )


@register.simple_tag
def service_rows(services) -> SafeString:
    """The table's rows (`service_row` each)."""
    return table_rows(service_row(service) for service in services)
