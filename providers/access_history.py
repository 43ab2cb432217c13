"""Who was given or lost access to a provider's work, by whom, when and why: the access history the
administrator and the Nominated Individual read (an inspector asks "who could see what on 5 December?").

Read from the history every role and sign-in change already writes (django-simple-history, with the
administrator's reason): roles given and removed, a page at a time, and sign-ins switched off and back
on, found in SQL by comparing each history row of a person with the one before it.
"""

from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import Lag
from django.views.generic import TemplateView

from .administration import AdministeredProviderMixin
from .models import RoleAssignment, User
from .services import people_of

CHANGES_PER_PAGE = 25
SIGN_INS_SHOWN = 50


def role_changes(provider):
    """The provider's roles given and removed, newest first (a queryset of history rows)."""
    return (
        RoleAssignment.history.filter(provider_id=provider.pk, history_type__in=["+", "-"])
        .select_related("user", "history_user", "region", "service", "commissioner", "provider")
        .order_by("-history_date", "-history_id")
    )


def sign_in_changes(provider):
    """Sign-ins of the provider's people switched off or back on, newest first: the history rows whose
    `is_active` differs from the person's row before."""
    rows = User.history.filter(id__in=people_of(provider).values("pk")).annotate(
        was_active=Window(
            Lag("is_active"), partition_by=[F("id")], order_by=[F("history_date"), F("history_id")]
        )
    )
    return (
        rows.filter(was_active__isnull=False)
        .exclude(is_active=F("was_active"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


class AccessHistoryView(AdministeredProviderMixin, TemplateView):
    """Roles given and removed and sign-ins switched off or on at one provider, with who and why."""

    template_name = "providers/access_history.html"
    provider_permission = "providers.read_access_history"

    def get_context_data(self, **kwargs):
        provider = self.provider
        page = Paginator(role_changes(provider), CHANGES_PER_PAGE).get_page(self.request.GET.get("page"))
        for row in page.object_list:  # a history row has the fields, not the model's properties
            given = "Given" if row.history_type == "+" else "Removed"
            row.person = str(row.user)
            row.change = f"{given}: {row.get_role_display()} for {RoleAssignment.scope_label.fget(row)}"
        sign_ins = list(sign_in_changes(provider)[: SIGN_INS_SHOWN + 1])
        for row in sign_ins:
            row.person = f"{row.first_name} {row.last_name}".strip() or row.username
            row.change = "Sign-in switched back on" if row.is_active else "Sign-in switched off"
        return super().get_context_data(
            provider=provider,
            providers=self.providers,
            page=page,
            sign_ins=sign_ins[:SIGN_INS_SHOWN],
            more_sign_ins=len(sign_ins) > SIGN_INS_SHOWN,
            **kwargs,
        )
