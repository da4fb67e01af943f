"""Radio buttons and checkboxes rendered in Python, with the HTML Django's templates would give.

Django renders every option through three widget templates; a check-in form with
a 500-person network has some 530 options and spent most of its time there. These
widgets build the same markup (a labelled input per option, inside the fieldset
and legend of the field's own template) directly, escaping every value and label.
"""

import copy
import html

from django import forms
from django.utils.safestring import mark_safe


def _escape(value):
    """Django's conditional_escape, without its per-call overhead: 500 options means thousands of calls."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs):
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {_escape(name)}")
        elif value is not False and value is not None:
            parts.append(f' {_escape(name)}="{_escape(value)}"')
    return "".join(parts)


class PlainOptionsMixin:
    def __deepcopy__(self, memo):
        """A copy sharing the choices, already normalized: every form copies its fields' widgets, and Django's
        copy normalizes each choice again. Choices are only ever replaced, never changed in place."""
        obj = copy.copy(self)
        obj.attrs = self.attrs.copy()
        memo[id(self)] = obj
        return obj

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        groups = context["optgroups"]
        if any(group for group, _, _ in groups):
            return super().render(name, value, attrs, renderer)  # grouped choices: Django's own templates
        parts = ["<div", _attrs({"id": context["attrs"].get("id"), "class": context["attrs"].get("class")}), ">"]
        for _, options, _ in groups:
            for option in options:
                option_id = option["attrs"].get("id")
                label_for = f' for="{_escape(option_id)}"' if option_id else ""
                value_attr = "" if option["value"] is None else f' value="{_escape(option["value"])}"'
                kind, field_name = _escape(option["type"]), _escape(option["name"])
                parts.append(
                    f'<div>\n    <label{label_for}><input type="{kind}" name="{field_name}"{value_attr}'
                    f"{_attrs(option['attrs'])}>\n {_escape(option['label'])}</label>\n\n</div>"
                )
        parts.append("\n</div>")
        return mark_safe("".join(parts))  # noqa: S308 -- every value and label above is escaped


class RadioSelect(PlainOptionsMixin, forms.RadioSelect):
    pass


class CheckboxSelectMultiple(PlainOptionsMixin, forms.CheckboxSelectMultiple):
    pass
