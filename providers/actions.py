"""What every app's business actions share."""

from django.core.exceptions import ValidationError


class AlreadyDone(ValidationError):
    """The same action arrived twice (a double submit): `existing` is what the first one made.

    Views send the person to it instead of showing an error; nothing is made twice.
    """

    def __init__(self, message: str, existing):
        super().__init__(message)
        self.existing = existing
