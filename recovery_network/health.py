"""Liveness of the parts the app cannot work without.

Anyone may ask whether the site is up (a load balancer does, every few seconds); which
part failed and how long ago the worker last beat is for operators: staff who passed
two-factor in this session, or a monitor holding HEALTHZ_TOKEN as a bearer token.
"""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from . import two_factor
from .celery import app as celery_app
from .models import Heartbeat


def may_see_detail(request):
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if settings.HEALTHZ_TOKEN and scheme.lower() == "bearer":
        return constant_time_compare(token.strip(), settings.HEALTHZ_TOKEN)
    user = request.user
    return user.is_authenticated and user.is_active and user.is_staff and two_factor.verified(request)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)


def report():
    """Run each check; return (all_ok, {part: "ok" | "unavailable: …"})."""
    parts = {}
    for name, check in (("database", check_database), ("broker", check_broker)):
        try:
            check()
        except Exception as exc:  # any failure means the part is not usable
            parts[name] = f"unavailable: {exc.__class__.__name__}"
        else:
            parts[name] = "ok"
    ok = all(value == "ok" for value in parts.values())
    if parts["database"] == "ok":
        beat = Heartbeat.objects.filter(name="worker").first()
        # Informational: a stale heartbeat means beat or the worker is down,
        # which delays reminders but does not stop the site from serving.
        parts["worker_heartbeat"] = (
            f"{int((timezone.now() - beat.last_beat_at).total_seconds())}s ago" if beat else "never"
        )
    return ok, parts
