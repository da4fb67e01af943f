"""The list of IANA time zones a person can choose from."""

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
