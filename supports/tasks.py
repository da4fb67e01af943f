"""Thin Celery wrappers around the network's services; each is safe to run twice."""

from celery import shared_task

from recovery_network.models import User

from .feeds import import_feed, read_source
from .services import save_snapshot


@shared_task
def import_meeting_feed(source, fellowship="aa", default_zone="UTC"):
    """Refresh the shared meeting directory from a feed URL or path (records are upserted by slug)."""
    report = import_feed(read_source(source), owner=None, fellowship=fellowship, default_zone=default_zone)
    return {"created": report.created, "updated": report.updated, "skipped": len(report.skipped)}


@shared_task
def take_snapshot(user_id, note=""):
    """Save a dated snapshot of one person's network (e.g. on a schedule they chose)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return save_snapshot(user, note=note).pk
