"""The foundation pages pass the structural accessibility check, errors included."""

import pytest
from django.urls import reverse

from tests.accessibility import assert_accessible

pytestmark = pytest.mark.django_db


def test_the_login_page_with_errors_is_accessible(client, quality_director):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert_accessible(response.text)
    assert 'class="nhsuk-error-summary"' in response.text
    assert 'href="#id_username"' in response.text, "the error summary links to the field"


@pytest.mark.parametrize("page_name", ["organisation", "dashboard"])
def test_staff_pages_are_accessible(client, sign_in, quality_director, elm_house, page_name):
    sign_in(quality_director)
    url = reverse(page_name, args=["quality_director"]) if page_name == "dashboard" else reverse(page_name)
    assert_accessible(client.get(url).text)


def test_the_service_page_is_accessible_and_shows_its_history(client, registered_manager, elm_house):
    client.force_login(registered_manager)
    response = client.get(reverse("service_detail", args=[elm_house.pk]))
    assert_accessible(response.text)
    assert "History" in response.text and "Created" in response.text


def test_one_choice_fields_render_as_nhsuk_radios_and_several_as_checkboxes():
    from django import forms

    class ChoiceForm(forms.Form):
        harm = forms.ChoiceField(choices=[("low", "Low"), ("high", "High")], widget=forms.RadioSelect)
        tags = forms.MultipleChoiceField(choices=[("falls", "Falls")], widget=forms.CheckboxSelectMultiple)

    html = str(ChoiceForm())
    assert 'class="nhsuk-radios__input" type="radio"' in html
    assert 'class="nhsuk-checkboxes__input" type="checkbox"' in html
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Harm</legend>' in html
