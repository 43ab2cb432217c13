"""Forms for signing in and administering the provider; NHS.UK markup comes from the shared field template."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from config.forms import too_long

from .choices import ROLE_SCOPE
from .fields import ChoiceField, FilterForm, RecordChoiceField
from .models import REASON_MAX_LENGTH, REASON_TOO_LONG, Region, RoleAssignment, Service, User
from .permissions import STAFF_ROLES
from .services import REMOVE_ANYWAY, SAME_NAME_ANYWAY, people_of
from .sign_in import staff_people_of


class LoginForm(AuthenticationForm):
    """Django's login form with plain-English messages."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your provider administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No autofocus (Django sets one): it would skip the skip link and the page's heading, so a
        # keyboard or screen reader user would start mid-page, as the NHS.UK service manual warns.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        # Django sets the username's max_length without its validator: a longer name would reach the
        # failed-login log, whose column it overflows on PostgreSQL.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))

    def clean(self):
        """Django's check, then, for a refused sign-in, the "switched off" words when the password was
        right for an account its administrator switched off: the leaver learns why, where Django's
        backend would only say the password is wrong. A wrong password still says only that."""
        try:
            return super().clean()
        except ValidationError as refused:
            username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            switched_off = User.objects.filter(username=username, is_active=False).first()
            if switched_off is not None and switched_off.check_password(password):
                raise ValidationError(self.error_messages["inactive"], code="inactive") from refused
            raise


def _choose(what: str) -> dict:
    return {"required": f"Choose {what}.", "invalid_choice": f"Choose {what}."}


WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


# The longest run of characters without a space a title may hold: a longer one (a pasted reference) cannot
# wrap, and pushes every table and heading showing the title off a phone's screen.
LONGEST_WORD = 40


def words_that_wrap_in(what: str):
    """A validator refusing text (`what`: "a title", "a claim", "a name") holding a run of more than
    LONGEST_WORD characters without a space: it could not wrap on a page, nor in a PDF (found: a name
    and a claim of one long word ran off a phone's screen and off an evidence pack's page)."""

    def words_that_wrap(value: str) -> None:
        longest = max((value or "").split(), key=len, default="")
        if len(longest) > LONGEST_WORD:
            raise ValidationError(
                f"Break up “{longest[:20]}…” with spaces: {what}'s words must be at most {LONGEST_WORD} "
                "characters each, so it fits every page, on a phone too."
            )

    return words_that_wrap


words_that_wrap = words_that_wrap_in("a title")


def reason_field(
    why: str = "",
    *,
    missing: str = "Give the reason for the change.",
    rows: int = 3,
    what: str = "",
    label: str | None = None,
    required: bool = True,
):
    """The field every form asking a person why uses: up to REASON_MAX_LENGTH characters, a longer
    reason refused with the limit and its length named (REASON_TOO_LONG) and kept on the form. Other
    free text a person writes (a step's notes, an escalation's action) uses it too, naming itself in
    the refusal: `what` ("the notes"), with its `label` and whether it is `required`.

    The browser is not told the limit (no maxlength): it would cut a pasted reason short without a
    word, and the person would think it saved whole."""
    field = forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=REASON_MAX_LENGTH,
        help_text=" ".join(
            filter(None, [why, f"Up to {REASON_MAX_LENGTH} characters, kept in the history."])
        ),
        error_messages={"required": missing, "max_length": too_long(what) if what else REASON_TOO_LONG},
    )
    field.widget.attrs.pop("maxlength", None)
    return field


def _time_field(verb: str, example: str) -> forms.TimeField:
    return forms.TimeField(
        # Hours and minutes only (found: "09:00:30" was saved as 09:00 and its history read
        # "09:00–17:00 → 09:00–17:00").
        input_formats=["%H:%M"],
        label=f"The working day {verb} at",
        help_text=f"24-hour clock, for example {example}.",
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "nhsuk-input--width-5"}),
        error_messages={
            "required": f"Enter when the working day {verb}.",
            "invalid": f"Enter a time like {example}.",
        },
    )


class WorkingHoursForm(forms.Form):
    """A provider's working day and working weekdays, with the reason for the change."""

    start = _time_field("starts", "09:00")
    end = _time_field("ends", "17:00")
    weekdays = forms.TypedMultipleChoiceField(
        label="Working days",
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one working day."},
    )
    reason = reason_field("Why the working week changes.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", "The working day must end after it starts.")
        return cleaned


class PeopleSearchForm(FilterForm):
    """The search box above People and roles: words found in a person's name, e-mail address, or the
    role or service they hold it for."""

    q = forms.CharField(
        label="Search people",
        required=False,
        max_length=100,
        strip=True,
        help_text="A name, e-mail address, role or service, for example Clinical Lead or Elm House.",
        error_messages={"max_length": too_long("the search")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


def add_service_errors(form: forms.Form, error: ValidationError, field_for=None) -> None:
    """Show a service's ValidationError on the field it names, or at the top of the form.

    `field_for(key)` names the form field a service's key is about, where the two differ (None: the
    top of the form); by default a key is its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, field_messages in error.message_dict.items():
        field = field_for(key) if field_for else (key if key in form.fields else None)
        form.add_error(field, field_messages)


class ScopedRoleForm(forms.Form):
    """A role for the whole provider, one of its regions or one of its services, with the reason."""

    role = ChoiceField(
        choices=[("", "Choose a role")]
        + [(role.value, f"{role.label} ({ROLE_SCOPE[role].label.lower()})") for role in STAFF_ROLES],
        help_text="Each role is held for the whole provider, a region or a service, as shown.",
        error_messages=_choose("a role"),
    )
    region = RecordChoiceField(
        queryset=Region.objects.none(),
        required=False,
        help_text="For a regional role only.",
        error_messages=_choose("one of your provider's regions"),
    )
    service = RecordChoiceField(
        queryset=Service.objects.none(),
        required=False,
        help_text="For a service role only.",
        error_messages=_choose("one of your provider's services"),
    )
    reason = reason_field("Why the person needs this role.")

    def __init__(self, provider, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.fields["region"].queryset = provider.regions.order_by("name")
        self.fields["service"].queryset = provider.services.order_by("name")

    def clean(self):
        """The scope must match the role (the service checks it again): said on the first submit,
        with any other mistake, rather than after the other mistakes are put right."""
        cleaned = super().clean()
        if cleaned.get("role") and not self.has_error("region") and not self.has_error("service"):
            held = RoleAssignment(
                role=cleaned["role"],
                provider=self.provider,
                region=cleaned.get("region"),
                service=cleaned.get("service"),
            )
            try:
                held.clean()
            except ValidationError as exc:
                add_service_errors(self, exc)
        return cleaned


class RemoveRoleForm(forms.Form):
    """The reason a role is taken away, and "Remove anyway" when its holder is the only one."""

    reason = reason_field("Why the person no longer holds this role.")

    def __init__(self, *args, ask_to_remove_anyway=False, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_to_remove_anyway or (self.is_bound and REMOVE_ANYWAY in self.data):
            self.ask_to_remove_anyway()

    def ask_to_remove_anyway(self) -> None:
        """Add the "Remove anyway" checkbox: shown while the person is the only one holding the role
        where they hold it (`services.OnlyHolderLeft`), as the deploy form's "Deploy anyway"."""
        self.fields[REMOVE_ANYWAY] = forms.BooleanField(
            required=False,
            label="Remove anyway: I understand nobody will hold this role here",
            help_text="What waits on the role goes overdue and is escalated until someone is given it.",
        )


class RoleForm(ScopedRoleForm):
    """Give one of the provider's people a role."""

    def __init__(self, provider, *args, **kwargs):
        super().__init__(provider, *args, **kwargs)
        person = RecordChoiceField(
            queryset=people_of(provider), empty_label="Choose a person", error_messages=_choose("a person")
        )
        # Two people of one name are told apart by their usernames (found: "Beth Walsh", "Beth Walsh").
        person.label_from_instance = lambda user: f"{user} ({user.username})"
        self.fields = {"person": person, **self.fields}


class PersonForm(ScopedRoleForm):
    """A new person of the provider, with their first role. They choose their own password."""

    first_name = forms.CharField(max_length=150, validators=[words_that_wrap_in("a name")])
    last_name = forms.CharField(max_length=150, validators=[words_that_wrap_in("a name")])
    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they sign in with: letters, digits and @ . + - _ only.",
    )
    email = forms.EmailField(label="E-mail address")
    job_title = forms.CharField(max_length=120, required=False)
    field_order = ["first_name", "last_name", "username", "email", "job_title", "role", "region", "service"]

    def __init__(self, provider, *args, **kwargs):
        super().__init__(provider, *args, **kwargs)
        if self.is_bound and SAME_NAME_ANYWAY in self.data:
            self.ask_if_someone_else()

    def ask_if_someone_else(self) -> None:
        """Add the "They are someone else" box: shown once adding was refused because one of the
        provider's people has the same name, and kept while the person answers it."""
        self.fields[SAME_NAME_ANYWAY] = forms.BooleanField(
            required=False,
            label="They are someone else",
            help_text="Tick it only if this is a different person from the one named above.",
        )

    def details(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("first_name", "last_name", "username", "email", "job_title")
        }


class StaffRoleForm(RoleForm):
    """Give one of the provider's staff a role: its commissioners are the platform's operators' to set
    up, so they are not offered."""

    def __init__(self, provider, *args, by=None, **kwargs):
        super().__init__(provider, *args, **kwargs)
        field = self.fields["person"]
        field.queryset = staff_people_of(provider)
        # Nobody gives themselves a role, nor one to a person whose sign-in is switched off: they are not
        # offered (a request naming them anyway is refused by the service, saying why).
        offered = field.queryset.filter(is_active=True).exclude(pk=by.pk if by is not None else None)
        field.widget.choices = [("", field.empty_label)] + [
            (person.pk, field.label_from_instance(person)) for person in offered
        ]


class SwitchSignInForm(forms.Form):
    """The reason a person's sign-in is switched off, or back on."""

    reason = reason_field("Why their sign-in changes.")
