"""An escalation's "Who was told" names the role where it is held: a provider-level role (the
Quality Director, the Nominated Individual) is the provider's, never a service's.

Tester's walk (administrator), finding 19: "Who was told: The Nominated Individual for Elm House"."""

import pytest
from django.urls import reverse

from escalation import engine
from escalation.models import Escalation

from .conftest import at

pytestmark = pytest.mark.django_db


def test_a_provider_level_role_is_named_for_the_provider(
    client, sign_in, chain_a, people, provider, time_machine
):
    time_machine.move_to(at(23, 10, 30), tick=False)
    engine.tick(at(23, 10, 19))
    escalation = Escalation.objects.get(step_run__code="A2")
    assert escalation.service is not None, "the case is about a service"
    sign_in(people.quality_director)
    page = client.get(reverse("escalation:detail", args=[escalation.pk])).text
    role = escalation.get_target_role_display()
    assert f"The {role} for {provider.name}" in page
    assert f"The {role} for {escalation.service.name}" not in page
