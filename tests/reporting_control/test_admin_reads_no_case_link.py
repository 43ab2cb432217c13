"""Found: the provider administrator, who keeps the organisation and opens no case, followed the
menu's "Learning transfer" to "0 triggers … No triggers match" (though there were three) and
"Adoption" to "the learning is not live at your service", and an update's "See the checks before issue
and their deadlines" to a 404. The menu offers the work only to those who see it, and the update's
page links its checks only for whoever may open them."""

from django.urls import reverse

from providers.choices import Role
from reporting_control import chain
from tests.factories import person_with_role


def test_the_administrator_is_offered_neither_the_work_nor_a_link_to_a_case_they_cannot_open(
    client, sign_in, evidenced_update, provider, compliance_manager
):
    administrator = person_with_role(Role.PROVIDER_ADMINISTRATOR, provider=provider, username="admin")
    case = chain.run_for(evidenced_update).get_absolute_url()

    sign_in(administrator)
    page = client.get(evidenced_update.get_absolute_url()).text
    assert f'href="{case}"' not in page
    assert "Started: the people who record and oversee them open them" in page
    assert f'href="{reverse("learning_transfer:trigger_list")}"' not in page
    assert f'href="{reverse("adoption:my_service")}"' not in page
    assert f'href="{reverse("escalation:inbox")}"' not in page  # nothing is ever raised to them

    sign_in(compliance_manager)
    page = client.get(evidenced_update.get_absolute_url()).text
    assert f'href="{case}"' in page
    assert f'href="{reverse("learning_transfer:trigger_list")}"' in page
    assert f'href="{reverse("escalation:inbox")}"' in page
