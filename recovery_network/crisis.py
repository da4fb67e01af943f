"""The crisis lines shown on every page's "Get help now", in the reader's language.

settings.CRISIS_RESOURCES lists them in English; an entry's "translations" holds its words in other languages
({"es": {"name": …, "detail": …}}), and may give another number where a line answers in that language on one.
A language with no translation of an entry shows its English words: a crisis line is never left out.
"""

from django.conf import settings
from django.utils import translation


def resources(language=None):
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    shown = []
    for entry in settings.CRISIS_RESOURCES:
        words = (entry.get("translations") or {}).get(code, {})
        shown.append({**{key: value for key, value in entry.items() if key != "translations"}, **words})
    return shown
