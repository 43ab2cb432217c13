"""Found: the complaints and safeguarding check (C3) asked for "complaints … linked to the transferred
failure theme" without naming the theme, the services or the dates, and could be recorded a week before
the preparation window with nothing said. Its page now says what to count, and that a count made
before the window opens is early."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from providers.choices import Role
from reporting_control import chain
from tests.factories import person_with_role

pytestmark = pytest.mark.django_db


def test_the_c3_page_names_the_theme_services_and_days(client, sign_in, plan, provider, birch_match):
    update = plan()
    lead = person_with_role(Role.RESIDENT_EXPERIENCE_LEAD, provider=provider, username="experience")
    c3, c1 = chain.step_run(update, "C3"), chain.step_run(update, "C1")

    with time_machine.travel(c1.due_at - timedelta(days=3), tick=False):
        sign_in(lead)
        response = client.get(c3.get_absolute_url())
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        page = response.text
        start = timezone.localtime(timezone.now() - timedelta(days=30))
    assert "What to count" in page
    assert f"Fall ({update.triggers.get().reference})" in page
    assert "Birch Lodge" in page
    assert f"Logged from {start:%a} {start.day} {start:%b %Y}" in page
    assert "Counting early" in page

    with time_machine.travel(c1.due_at + timedelta(hours=1), tick=False):
        sign_in(lead)
        assert "Counting early" not in client.get(c3.get_absolute_url()).text
