"""Signing a person in, in tests, as both steps of the login would."""

from accounts.testing import signed_in

__all__ = ["signed_in"]
