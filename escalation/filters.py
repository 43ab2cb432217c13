"""The filter of My escalations: what an escalation is (a problem or a reminder), its region and its
service. Like every list filter it only narrows what the person may see already: the view offers the
services the person works at and their regions."""

from django.db.models import Q

from providers.fields import ChoiceField, FilterForm, RecordChoiceField
from providers.models import Region, Service

from .choices import EscalationKind

PROBLEMS, REMINDERS = "problems", "reminders"
# Short, so the box fits a phone (found: the longest was cut off at 390 px); the hint says what each is.
WHAT_CHOICES = [
    ("", "Problems and reminders"),
    (PROBLEMS, "Problems only"),
    (REMINDERS, "Reminders only"),
]
WHAT_HINT = (
    "Problems: a threshold reached, a step overdue or a weak group. Reminders: someone did not "
    "acknowledge one in time."
)
WORDS = {PROBLEMS: "problems only", REMINDERS: "reminders only"}


class InboxFilterForm(FilterForm):
    """Narrow the inbox. An escalation is where it is placed (`permissions.placed_within_reach`): a
    check run once per region (A4) is in its region and at none of its services, any other at the
    service it is about."""

    what = ChoiceField(label="Show", choices=WHAT_CHOICES, required=False, help_text=WHAT_HINT)
    region = RecordChoiceField(
        queryset=Region.objects.none(),
        required=False,
        empty_label="All regions",
        label_field="name",
        error_messages={"invalid_choice": "Choose one of the regions listed."},
    )
    service = RecordChoiceField(
        queryset=Service.objects.none(),
        required=False,
        empty_label="All services",
        label_field="name",
        error_messages={"invalid_choice": "Choose one of the services listed."},
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["region"].queryset = Region.objects.filter(services__in=services).distinct()

    @property
    def chosen(self) -> dict:
        """What the person chose, or nothing when a choice was refused (the whole list, with the error)."""
        return {name: value for name, value in self.cleaned_data.items() if value} if self.is_valid() else {}

    def narrowing(self, prefix: str = "") -> Q:
        """The chosen filters as a condition on escalations, reached through `prefix` ("escalation__"
        from a notification)."""
        chosen, condition = self.chosen, Q()
        if chosen.get("what"):
            reminder = Q(**{f"{prefix}kind": EscalationKind.FOLLOW_UP})
            condition &= reminder if chosen["what"] == REMINDERS else ~reminder
        if region := chosen.get("region"):
            condition &= Q(**{f"{prefix}region": region}) | Q(
                **{f"{prefix}region__isnull": True, f"{prefix}service__region": region}
            )
        if service := chosen.get("service"):
            condition &= Q(**{f"{prefix}region__isnull": True, f"{prefix}service": service})
        return condition

    def words(self) -> str:
        """The filters chosen as the list's heading says them ("Showing reminders only at Cedar Court")."""
        chosen = self.chosen
        if not chosen:
            return ""
        what = WORDS[chosen["what"]] if chosen.get("what") else "escalations"
        where = [f"in {chosen['region'].name}" if chosen.get("region") else ""]
        where.append(f"at {chosen['service'].name}" if chosen.get("service") else "")
        return " ".join(["Showing", what, *filter(None, where)])
