"""What every chain A view shares: loading objects through the person's scope, and acting safely."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect

from providers.mixins import StaffRequiredMixin

from .. import permissions
from ..models import LearningTrigger


class TriggerMixin(StaffRequiredMixin):
    """Loads `self.trigger` from the triggers the person can see: anything else is a 404."""

    trigger_kwarg = "pk"

    def get_trigger(self) -> LearningTrigger:
        if not hasattr(self, "_trigger"):
            self._trigger = get_object_or_404(
                permissions.visible_triggers(self.request.user).select_related(
                    "provider", "source_service__region", "source_incident", "logged_by"
                ),
                pk=self.kwargs[self.trigger_kwarg],
            )
        return self._trigger


def act(request, action, success, back: str):
    """Run a business action from a POST; show its refusal as an error message instead of a crash.

    `success` is the message, or a function giving it once the action ran (it may depend on the result).
    """
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success() if callable(success) else success)
    return redirect(back)
