"""The signed-in home page, assembled from sections each app contributes.

settings.HOME_SECTIONS lists dotted paths to functions `section(user)` that
return a dict with a "template" key (rendered with `section` in its context)
or None to show nothing. Each section must run a fixed number of queries.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def home_sections(user):
    sections = []
    for path in settings.HOME_SECTIONS:
        section = import_string(path)(user)
        if section:
            sections.append(section)
    return sections
