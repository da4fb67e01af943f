"""{% icon "house" %}: one icon of our sprite, static/icons/sprite.svg (lucide's, made by `python3 dev.py sprite`).

Icons are decorative: the words beside one say what it means, so screen readers skip it. A name the sprite lacks
raises while DEBUG is on, and tests/recovery_network/test_icons.py checks every name the templates use; were one
to reach production all the same, it would draw nothing and the words would stay.
"""

import functools
import re

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "icons/sprite.svg"


def sprite_names():
    """The ids of the sprite's symbols, in the order the sprite lists them."""
    with open(finders.find(SPRITE), encoding="utf-8") as sprite:
        return re.findall(r'<symbol id="([^"]+)"', sprite.read())


@functools.cache
def rendered_icons():
    """{name: its <svg>} for every symbol, made once per process, as context_processors.chrome_urls are: under
    ManifestStaticFilesStorage a static() call costs about 9 µs (the manifest lookup) and format_html another
    4 µs, while the header draws nine icons on every page; a dict lookup is 0.1 µs. test_icons.py pins the
    output to what {% static %} gives."""
    url = static(SPRITE)
    return {
        name: format_html(
            '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>', url, name
        )
        for name in sprite_names()
    }


@register.simple_tag
def icon(name):
    svg = rendered_icons().get(name)
    if svg is None and settings.DEBUG:
        raise template.TemplateSyntaxError(
            f'No icon "{name}" in {SPRITE}: add it to ICONS in dev.py and run `python3 dev.py sprite`.'
        )
    return svg or ""
