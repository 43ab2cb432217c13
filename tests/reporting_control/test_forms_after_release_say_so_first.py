"""Found: after release, "Add a line" and "Place an issue hold" opened as usual, and only after the
person typed did the page say "This update has been released: it can no longer be changed". Each form
that changes an update now sends them back to it, saying so, before they type anything."""

import pytest
from django.urls import reverse

from reporting_control import services
from reporting_control.models import ReportingLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(evidenced_update, provider_director):
    services.release_update(evidenced_update, by=provider_director)
    evidenced_update.refresh_from_db()
    return evidenced_update


@pytest.mark.parametrize("name", ["line_create", "hold_place"])
def test_a_form_that_changes_a_released_update_says_so_before_anything_is_typed(
    client, sign_in, released, compliance_manager, name
):
    sign_in(compliance_manager)
    url = reverse(f"reporting_control:{name}", args=[released.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == released.get_absolute_url()
    assert f"{released.reference} was released" in response.text
    assert "it can no longer be changed" in response.text

    lines = ReportingLine.objects.filter(update=released).count()
    client.post(url, {"claim": "Late claim.", "kind": "named_service", "reason": "Late."})
    assert ReportingLine.objects.filter(update=released).count() == lines
    assert not released.holds.filter(lifted_at__isnull=True).exists()
