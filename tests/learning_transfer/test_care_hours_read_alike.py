"""Care hours read with one decimal place on the trigger page, a whole figure included, so two figures
of the same measure side by side look equally precise ("4,347.0" beside "4,021.2", never "4,347");
the stored figures are not changed."""

from decimal import Decimal

import pytest

from learning_transfer.models import MatchedService
from learning_transfer.templatetags.learning import hours

from .conftest import WINDOW, add_care_hours

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("4347"), "4,347.0"),
        (Decimal("4021.2"), "4,021.2"),
        (4347.0, "4,347.0"),
        (Decimal("0"), "0.0"),
        (None, "0.0"),
    ],
)
def test_care_hours_have_one_decimal_place_whole_or_not(value, shown):
    assert hours(value) == shown


def test_the_trigger_page_shows_whole_and_part_care_hours_alike(
    client, sign_in, log_falls_trigger, falls_provider, quality_director
):
    # Beech Lodge keeps 7 x 200 = 1,400 hours; Dove Cottage, with none in the example, is given 4,021.2
    # on one day of the window.
    add_care_hours(falls_provider["dove"], "4021.2", days=WINDOW[:1])
    trigger = log_falls_trigger()
    sign_in(quality_director)
    page = client.get(f"/learning/triggers/{trigger.pk}/").text
    table = page.split('data-testid="matched-services"', 1)[1].split("</table>", 1)[0]
    assert "Care hours </span>1,400.0</td>" in table
    assert "Care hours </span>4,021.2</td>" in table
    assert "Care hours </span>1,400</td>" not in table
    # Only the display changed: the figure kept is the whole number it was.
    beech = MatchedService.objects.get(trigger=trigger, service__name="Beech Lodge")
    assert beech.care_hours_7d == 1400
