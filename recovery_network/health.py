"""Liveness of the parts the app cannot work without, and whether its work leaves on time.

Anyone may ask whether the site is up (a load balancer does, every few seconds); which part failed and how
late the work is are for operators: staff who passed two-factor in this session, or a monitor holding
HEALTHZ_TOKEN as a bearer token.

Besides the database and the broker, /healthz fails when the worker's last heartbeat is older than
HEALTHZ_MAX_HEARTBEAT_AGE_SECONDS, or when work that should leave within a minute has waited longer than its
limit (HEALTHZ_LAGS: due reminders and lost sends for the dispatch, alert messages). A limit of 0 reports
without failing. A worker that has never beaten fails nothing: on a fresh deploy the web comes up before the
workers do, and a worker that never comes up shows in the lags as soon as anything is due.

A fixed number of queries whatever the backlog, each read off an index: `SELECT 1`, the heartbeat's row,
and one per lag (the reminders' and deliveries' two, the alerts' one).
"""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

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


def web_report():
    """Whether this web process can serve people (/healthz/web, for the proxy): PostgreSQL alone.

    Not the broker, the cache, the heartbeat or the lags: with Redis down the site serves from the database
    (cache.py, broker.py), and a stopped worker or late work is the same for every instance. A proxy that took
    instances out for those would take them all out at once, and the crisis page and "I need support now" with
    them, which work without a worker (what they send waits in the database). They are /healthz's, for a monitor.
    """
    try:
        check_database()
    except Exception as exc:  # any failure means this instance cannot serve
        return False, {"database": f"unavailable: {exc.__class__.__name__}"}
    return True, {"database": "ok"}


def age(since, now, limit, suffix=""):
    """(on time, what to say) for something last seen, or waiting since, `since`; a limit of 0 never fails."""
    seconds = max(0, int((now - since).total_seconds()))
    if limit and seconds > limit:
        return False, f"late: {seconds}s{suffix} (limit {limit}s)"
    return True, f"{seconds}s{suffix}"


def report(now=None):
    """Run each check; return (all_ok, {part: "ok" | "12s" | "12s ago" | "never" | "unavailable: …" | "late: …"})."""
    parts, ok = {}, True
    for name, check in (("database", check_database), ("broker", check_broker)):
        try:
            check()
        except Exception as exc:  # any failure means the part is not usable
            parts[name] = f"unavailable: {exc.__class__.__name__}"
            ok = False
        else:
            parts[name] = "ok"
    if parts["database"] != "ok":
        return ok, parts
    now = now or timezone.now()
    last_beat_at = Heartbeat.objects.filter(name="worker").values_list("last_beat_at", flat=True).first()
    parts["worker_heartbeat"] = "never"
    if last_beat_at is not None:
        on_time, parts["worker_heartbeat"] = age(last_beat_at, now, settings.HEALTHZ_MAX_HEARTBEAT_AGE_SECONDS, " ago")
        ok = ok and on_time
    for name, waiting_since, limit in settings.HEALTHZ_LAGS:
        since = import_string(waiting_since)(now)
        on_time, parts[name] = age(since, now, getattr(settings, limit)) if since else (True, "0s")
        ok = ok and on_time
    return ok, parts
