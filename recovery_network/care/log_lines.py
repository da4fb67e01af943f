"""An access-log line's words, in the language of whoever reads the log.

A line is a row, written once and read for years, by a person who may change language in between. So a line
built from parts keeps its parts (`AccessEvent.line`: a key and its values — scope names, a role, dates as ISO
days, people's names as they were) and is put into words when it is shown, in the reader's language. Its
English words are kept too (`AccessEvent.what`), for the site's administration and the export, and for rows
written before lines kept their parts: those are shown translated when they are one of the fixed phrases or scope
lists below, else as written. Names, email addresses and a counselor's own words are never translated.
"""

import datetime as dt
import functools
import itertools

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, override

from .models import SCOPE_FIELDS, SCOPE_LOG_NAMES, Invitation, WarningSign

# Lines said the same way every time.
YOUR_CALL = gettext_noop("your call for support")
HOME_CLEAN_TIME = gettext_noop("clean time and milestones: on their home page")
HOME_SETBACK = gettext_noop("a setback: on their home page")
NEWS_TOLD = gettext_noop("clean time and milestones: news you told them")
CELEBRATION_REMINDER = gettext_noop("clean time and milestones: a celebration reminder")
SIGNED_CONSENT = gettext_noop("the signed consent")
ENDED_CONSENT_RECORD = gettext_noop("the record of a consent that ended")
NOTHING_BUT_NAME = gettext_noop("nothing but your name")

FIXED = frozenset(
    {YOUR_CALL, HOME_CLEAN_TIME, HOME_SETBACK, NEWS_TOLD, CELEBRATION_REMINDER, SIGNED_CONSENT, ENDED_CONSENT_RECORD}
)

# What the site's administration looked at or changed, as the person reads it (admin_site.PersonRecordAdmin).
RECORDS = {
    "record": gettext_noop("a record of yours"),
    "account": gettext_noop("your account record"),
    "email": gettext_noop("your email address record"),
    "device": gettext_noop("one of your signed-in devices"),
    "two_factor": gettext_noop("your two-factor authentication record"),
    "delivery": gettext_noop("a reminder delivery record"),
}

# Lines built from parts: the key kept in the row, and the sentence its values go into.
SENTENCES = {
    "scopes": "%(scopes)s",
    "caseload": gettext_noop("caseload summary: %(scopes)s"),
    "warning_sign": gettext_noop("warning sign: %(sign)s"),
    "invited": gettext_noop("%(role)s: %(email)s"),
    "now_sees": gettext_noop("%(name)s now sees: %(scopes)s"),
    "consent_signed": gettext_noop("%(recipient)s, %(organisation)s, until %(until)s: %(scopes)s"),
    "consent_signed_asked": gettext_noop(
        "%(recipient)s, %(organisation)s, until %(until)s: %(scopes)s; asked for by %(asked_by)s"
    ),
    "renewal": gettext_noop(
        "%(recipient)s, %(organisation)s, until %(until)s: %(scopes)s; renews the consent of %(renews)s"
    ),
    "renewal_asked": gettext_noop(
        "%(recipient)s, %(organisation)s, until %(until)s: %(scopes)s; renews the consent of %(renews)s; "
        "asked for by %(asked_by)s"
    ),
    "consent": gettext_noop("Consent for %(recipient)s (%(organisation)s)"),
    "left_grant": gettext_noop("%(name)s left %(site)s: they no longer see anything of yours"),
    "left_consent": gettext_noop("%(name)s left %(site)s: Consent for %(recipient)s (%(organisation)s) ended"),
    "admin": gettext_noop("%(record)s, in the site's administration"),
    "admin_added": gettext_noop("%(record)s (added), in the site's administration"),
    "admin_verified": gettext_noop("%(record)s (marked verified), in the site's administration"),
    "admin_sent_again": gettext_noop("%(record)s (sent again), in the site's administration"),
}


def line(key, **values):
    """A line's parts, as kept in `AccessEvent.line`: {"key": …, values…}. Dates go in as dates."""
    if key not in SENTENCES:
        raise ValueError(f"No access-log sentence {key!r}")
    kept = {"key": key}
    for name, value in values.items():
        if name == "scopes":
            value = [field for field in SCOPE_FIELDS if field in value]
        elif isinstance(value, dt.date):
            value = value.isoformat()
        kept[name] = value
    return kept


def row_fields(what):
    """An AccessEvent's `what` and `line` for words as they are (a name, an email address, a fixed phrase) or
    a line(…)'s parts."""
    if isinstance(what, dict):
        return {"what": english(what), "line": what}
    return {"what": what[:300], "line": None}


def consent_signed(consent, asked_by="", renews=None):
    """The line of a consent signed: who may see what until when, who asked for it (`asked_by`, a counselor's
    label) and which consent it renews (`renews`, the day that one was signed)."""
    key = ("renewal" if renews else "consent_signed") + ("_asked" if asked_by else "")
    values = {"renews": renews} if renews else {}
    if asked_by:
        values["asked_by"] = asked_by
    return line(
        key,
        recipient=consent.recipient_name,
        organisation=consent.organisation,
        until=consent.expires_on,
        scopes=consent.scopes,
        **values,
    )


def english(parts):
    """The line's English words, as `AccessEvent.what` keeps them (300 characters at most)."""
    with override("en"):
        return words(parts)[:300]


def words(parts):
    """The line in the active language."""
    values = {name: _value(name, value, parts["key"]) for name, value in parts.items() if name != "key"}
    sentence = SENTENCES[parts["key"]]
    return (sentence if sentence == "%(scopes)s" else gettext(sentence)) % values


def shown(what, parts=None):
    """What a log line says, in the active language: from its parts, else its English words if they are a fixed
    phrase or a scope list, else as written (a name, an email address, someone's own words)."""
    if parts:
        try:
            return words(parts)
        except (KeyError, TypeError, ValueError):  # a row from a later release's sentences: its English words
            return what
    if what in FIXED:
        return gettext(what)
    known = _known_english().get(what)
    return words(known) if known else what


def describe(scopes, empty=""):
    """'clean time and milestones, support map' in the fixed order of SCOPE_FIELDS, in the active language."""
    return ", ".join(gettext(SCOPE_LOG_NAMES[field]) for field in SCOPE_FIELDS if field in scopes) or empty


def _value(name, value, key):
    if name == "scopes":
        return describe(value, gettext(NOTHING_BUT_NAME) if key == "now_sees" else "")
    if name in ("until", "renews"):
        return date_format(dt.date.fromisoformat(value), gettext("j F Y"))
    if name == "role":
        return str(Invitation.Role(value).label)
    if name == "sign":
        return str(WarningSign(value).label).lower()
    if name == "record":
        return gettext(RECORDS[value])
    if name == "site" and not value:
        return settings.SITE_NAME
    return value


@functools.cache
def _known_english():
    """English words written before lines kept their parts, which can still be told apart: every scope list,
    every caseload summary and every warning sign, each with the parts it was made from. Kept once per process
    (129 constant strings from code, never data): building it takes 2.5 ms, which for each older line of a
    50-line page would be 125 ms; the cached look-up is 0.3 µs. Pinned to a fresh build by a test."""
    known = {}
    for size in range(1, len(SCOPE_FIELDS) + 1):
        for scopes in itertools.combinations(SCOPE_FIELDS, size):
            known[english(line("scopes", scopes=scopes))] = line("scopes", scopes=scopes)
            known[english(line("caseload", scopes=scopes))] = line("caseload", scopes=scopes)
    for sign in WarningSign:
        known[english(line("warning_sign", sign=sign.value))] = line("warning_sign", sign=sign.value)
    return known
