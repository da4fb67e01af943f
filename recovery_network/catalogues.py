"""Compiling the translation catalogues (locale/<language>/LC_MESSAGES/django.po → django.mo) in pure Python.

Django's compilemessages needs GNU gettext's msgfmt, which a fresh machine with only Python lacks; Babel (already
a requirement, for money and numbers) reads a .po and writes the same .mo. Only what changed is rewritten. Fuzzy
entries are left out, as msgfmt leaves them out. The .mo files are built, never kept in git.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings


def stale(folders=None):
    """The .po files whose .mo is missing or older."""
    found = []
    for folder in folders or settings.LOCALE_PATHS:
        for po in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                found.append(po)
    return found


def compile_all(folders=None, force=False):
    """Write the .mo of every stale .po (every .po with `force`); returns the .po files compiled."""
    compiled = []
    for folder in folders or settings.LOCALE_PATHS:
        for po in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
            if not force and po not in stale([folder]):
                continue
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog, use_fuzzy=False)
            compiled.append(po)
    return compiled
