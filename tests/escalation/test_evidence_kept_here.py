"""Asked "where is the evidence?", a step's page gives one answer: here, in this system. The store the
seed names (a SharePoint library, a board vault) stays in the data, as what it was, but is not shown: a
care manager reading "(was: …)" would not know what it means, and nothing is kept there any more."""

import importlib
from html import unescape

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import strip_tags

from escalation.models import StepRun, StepTemplate

from .conftest import at, step

pytestmark = pytest.mark.django_db

SEED_A1 = "Learning-transfer register in the SharePoint governance library, under “Provider Learning Control”"


def test_a_step_page_says_the_evidence_is_kept_here(client, sign_in, chain_a, people, time_machine):
    time_machine.move_to(at(23, 9), tick=False)
    sign_in(people.quality_director)
    page = unescape(
        strip_tags(client.get(reverse("escalation:step_run", args=[step(chain_a, "A1").pk])).text)
    )
    assert "Kept here: this step's records and the trigger's page." in page
    assert "Evidence store" not in page
    assert "SharePoint" not in page and "(was: " not in page


def test_every_step_of_every_chain_points_into_this_system(chains):
    for template in StepTemplate.objects.all():
        assert template.evidence_store.startswith("Kept here: this step's records and the "), template.code
        assert "(was: " in template.evidence_store, template.code


def test_cases_already_running_and_the_templates_are_moved_by_the_data_migration(chain_a):
    """A database made before the change holds the seed's words in its templates and running cases."""
    a1 = step(chain_a, "A1")
    StepTemplate.objects.filter(code="A1").update(evidence_store=SEED_A1)
    StepRun.objects.filter(pk=a1.pk).update(evidence_store=SEED_A1)
    kept_elsewhere = "Our own register, kept by the provider"
    StepRun.objects.filter(chain_run=chain_a, code="A2").update(evidence_store=kept_elsewhere)

    migration = importlib.import_module("escalation.migrations.0014_evidence_kept_here")
    migration.kept_here(apps, None)
    migration.kept_here(apps, None)  # run twice, it changes nothing twice

    wanted = f"Kept here: this step's records and the trigger's page (was: {SEED_A1})"
    assert StepTemplate.objects.get(code="A1").evidence_store == wanted
    assert StepRun.objects.get(pk=a1.pk).evidence_store == wanted
    assert step(chain_a, "A2").evidence_store == kept_elsewhere, "a store someone edited is left"
