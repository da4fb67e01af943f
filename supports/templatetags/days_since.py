"""{{ moment|days_since }}: "today", "yesterday", "3 days ago", "2 weeks ago" — how long ago, by the reader's own
calendar.

A day's precision on purpose: the pages that say how long since a contact or a snapshot keep their parts for up to
a quarter hour, keyed by the reader's local date (recovery_network/page_cache.py). Humanize's `naturaltime` ("4
minutes ago") would be stale within that quarter hour, and a kept part would differ from one drawn afresh; a day
counted in the reader's zone is the same all day, and it is what keeping in touch is counted in."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()


@register.filter(expects_localtime=True)
def days_since(value, today=None):
    """`value` is an aware datetime (shown in the active zone, the reader's) or a date; `today` defaults to the
    active zone's date."""
    if value in (None, ""):
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    today = today or timezone.localdate()
    days = (today - day).days
    if days <= 0:
        return gettext("today")
    if days == 1:
        return gettext("yesterday")
    # timesince between two midnights: whole days, weeks, months or years, the two largest units.
    return gettext("%(time)s ago") % {"time": timesince(day, today, depth=2)}
