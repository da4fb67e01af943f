from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CRISIS_RESOURCES": settings.CRISIS_RESOURCES,
    }


def notifications(request):
    """The unread count for the nav, from the signed-in user's row: no query of its own."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": user.unread_notifications}
