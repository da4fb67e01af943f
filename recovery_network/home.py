"""The signed-in home page, assembled from sections each app contributes.

settings.HOME_SECTIONS lists dotted paths to functions `section(user)` that
return a dict with a "template" key (rendered with `section` in its context)
or None to show nothing. Each section must run a fixed number of queries.
They show the person's own records and are kept rendered under their data version.

settings.HOME_SUPPORTING_SECTIONS are the same for the people the account supports
(as family, as a counselor): they show other people's records, so they are
rendered on each visit, never kept.
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


def supporting_sections(user):
    sections = []
    for path in settings.HOME_SUPPORTING_SECTIONS:
        section = import_string(path)(user)
        if section:
            sections.append(section)
    return sections
