"""What a journey gives back: the currencies a cost may be kept in, and how money and hours read.

Amounts are formatted by Babel (CLDR's data) in the active language's locale, so "$1,234" in English
reads "1.234 $" or "US$1.234" where that is how the person writes it, once the site speaks their language.
The list of currencies offered (the journey form's choices) is worked out once per process and language:
measured on this machine, building it walks every territory's currencies, 0.8 ms a time (20 ms the first time,
reading CLDR's files), against 24 µs to format one amount; tests/milestones/test_money_saved.py holds the kept
list to a fresh one.
"""

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, get_currency_name, get_territory_currencies
from django.conf import settings
from django.utils.translation import get_language, gettext, ngettext, to_locale

DEFAULT_CURRENCY = "USD"
# The currencies offered are those legal tender somewhere on this date: a fixed date, so the list (and a
# cost kept in it) does not change under anyone when a country retires a currency.
CURRENCIES_IN_USE_ON = dt.date(2025, 1, 1)
# From this sum on it is shown without cents: "$1,234", not "$1,234.00".
WHOLE_UNITS_FROM = 100
HOURS_IN_A_DAY = 24


def _locale(name):
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def current_locale():
    """The Babel locale of the active Django language ("en-us" → en_US)."""
    return _locale(to_locale(get_language() or settings.LANGUAGE_CODE))


@functools.cache
def _codes():
    english = _locale("en")
    codes = set()
    for territory in english.territories:
        codes.update(get_territory_currencies(territory, start_date=CURRENCIES_IN_USE_ON, tender=True))
    return frozenset(codes | {DEFAULT_CURRENCY})


@functools.cache
def _choices_in(locale):
    named = [(code, f"{get_currency_name(code, locale=locale)} ({code})") for code in _codes()]
    return tuple(sorted(named, key=lambda choice: choice[1].casefold()))


def currency_choices():
    """(code, "US Dollar (USD)") for every currency in use, named in the active language and sorted by name.
    A callable, so the model's choices (and its migration) never spell out the list."""
    return list(_choices_in(current_locale()))


def _whole_pattern(locale):
    # The locale's own currency pattern without its fraction digits: "¤#,##0" in English, "#,##0 ¤" in German.
    return locale.currency_formats["standard"].pattern.replace(".00", "")


def format_money(amount, currency, locale=None):
    """An amount in its currency, as the person writes money: "$12.50", "€1,234" (no cents from 100 on)."""
    locale = locale or current_locale()
    amount = Decimal(amount)
    if abs(amount) >= WHOLE_UNITS_FROM:
        whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return format_currency(whole, currency, format=_whole_pattern(locale), locale=locale, currency_digits=False)
    return format_currency(amount, currency, locale=locale)


def format_hours(hours, locale=None):
    """Hours as a person reads them: "3 hours", "2.5 hours"; a day's worth or more also in days,
    "312 hours — about 13 days"."""
    locale = locale or current_locale()
    hours = Decimal(hours)
    if hours < HOURS_IN_A_DAY:
        shown = format_decimal(hours, format="#,##0.#", locale=locale)
        # A whole number of hours picks its plural form by itself; 2.5 hours reads as many.
        count = int(hours) if hours == hours.to_integral_value() else 2
        return ngettext("%(hours)s hour", "%(hours)s hours", count) % {"hours": shown}
    whole = hours.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    days = int((hours / HOURS_IN_A_DAY).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    shown = format_decimal(whole, format="#,##0", locale=locale)
    hours_text = ngettext("%(hours)s hour", "%(hours)s hours", int(whole)) % {"hours": shown}
    days_text = ngettext("about %(days)s day", "about %(days)s days", days) % {"days": days}
    # Translators: hours saved, then the same in days: "312 hours — about 13 days".
    return gettext("%(hours)s — %(days)s") % {"hours": hours_text, "days": days_text}
