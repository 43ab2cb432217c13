"""Forms for signing in; the NHS.UK markup comes from the shared field template."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's login form with plain-English messages."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your provider administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        # Django sets the username's max_length without its validator: a longer name would reach the
        # failed-login log, whose column it overflows on PostgreSQL.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
