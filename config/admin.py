"""Who may use the Django admin at all."""


def operators_only(request) -> bool:
    """The admin shows every provider's rows unscoped, so it is for platform operators (active
    superusers) only; a provider's own staff administer their provider in the app, behind the
    permission tables. Anyone else is sent to the admin's sign-in page from every admin URL."""
    user = request.user
    return user.is_active and user.is_staff and user.is_superuser
