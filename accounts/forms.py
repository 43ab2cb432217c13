"""The code forms of the second factor; NHS.UK markup comes from the shared field template."""

from django import forms


class CodeField(forms.CharField):
    """A one-time code: typed on a phone keypad or pasted, so spaces and dashes are allowed."""

    def __init__(self, **kwargs):
        super().__init__(max_length=20, strip=True, **kwargs)

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "autocomplete": "one-time-code",
            "autocapitalize": "off",
            "spellcheck": "false",
            "class": "nhsuk-input--width-10",
        }


class SetUpForm(forms.Form):
    code = CodeField(
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now. It changes every 30 seconds.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )


class VerifyForm(forms.Form):
    code = CodeField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        error_messages={"required": "Enter the code from your authenticator app or a recovery code"},
    )
