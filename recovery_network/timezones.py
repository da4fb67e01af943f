"""The list of IANA time zones a person can choose from, and whether a name from elsewhere is one."""

import functools
import zoneinfo


@functools.cache
def time_zone_choices():
    # available_timezones() also lists legacy aliases (US/Eastern, posix/…);
    # offer the canonical Area/City names, plus UTC.
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("posix/", "right/", "Etc/", "SystemV/", "US/"))
    )
    return [("UTC", "UTC")] + [(name, name.replace("_", " ")) for name in names]


@functools.cache
def _known_zones():
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name):
    """Whether `name` is an IANA zone, asked of the list rather than by opening it: ZoneInfo() given a name
    from a file or the command line reads whatever lies at that path ("America" is a directory)."""
    return name in _known_zones()


@functools.cache
def _offered_by_lowercase():
    return {name.lower(): name for name, _ in time_zone_choices()}


def offered_zone(text):
    """The offered zone a person typed, as its IANA name ("america/new york" is America/New_York), or None."""
    return _offered_by_lowercase().get((text or "").strip().replace(" ", "_").lower())
