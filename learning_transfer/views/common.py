"""What every chain A view shares: loading objects through the person's scope, and acting safely."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect

from providers.mixins import StaffRequiredMixin
from providers.permissions import compiled_once

from .. import permissions
from ..models import LearningTrigger


class TriggerMixin(StaffRequiredMixin):
    """Loads `self.trigger` from the triggers the person can see: anything else is a 404."""

    trigger_kwarg = "pk"

    def get_trigger(self) -> LearningTrigger:
        if not hasattr(self, "_trigger"):
            user = self.request.user
            found = compiled_once(  # every trigger page asks this: its SQL is kept for the roles held
                user,
                "a trigger the person sees",
                lambda pk: (
                    permissions.visible_triggers(user)
                    .select_related("provider", "source_service__region", "source_incident", "logged_by")
                    .filter(pk=pk)
                ),
                pk=self.kwargs[self.trigger_kwarg],
            ).rows()
            if not found:
                raise Http404("No trigger found.")
            self._trigger = found[0]
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
