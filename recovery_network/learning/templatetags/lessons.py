"""The family course in other apps' templates, named as a string (`{% load lessons %}`) so the apps below the
course never import it: `{% lesson "after-a-setback" as item %}` gives one lesson (None for a slug no file has),
`{% course as lessons %}` every lesson in order."""

from django import template

from .. import content

register = template.Library()


@register.simple_tag
def lesson(slug):
    return content.lesson(slug)


@register.simple_tag
def course():
    return content.lessons()
