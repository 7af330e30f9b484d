"""The project's form renderer (settings.FORM_RENDERER): Django's, except that
``<select>``, ``<input>`` and ``<textarea>`` widgets are written in Python
instead of through the template engine.

Django renders a select by including ``select_option.html`` once per option;
My day's quick-log form lists up to 300 clients and the client list's filters
every branch and manager, so those includes were half of those pages' time.
The markup written here is Django's own (``select.html``, ``select_option.html``,
``attrs.html``) with the same escaping; ``tests/tenancy/test_form_rendering.py``
compares the two for every select the tests can build. An option whose
``template_name`` is not Django's default falls back to the template engine.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# Django's templates that are nothing but ``{% include "…/input.html" %}``
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in [
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
)


_NONE = format_html("{}", "")
_SELECTED = format_html(" {}", "selected")


def _attrs(attrs: dict) -> SafeString:
    """``attrs.html``: `` name="value"``, a bare `` name`` for True, nothing for False.
    (An option's attributes are nearly always none or ``selected``: those two are
    ready-made, an option list can hold hundreds.)"""
    if not attrs:
        return _NONE
    if attrs == {"selected": True}:
        return _SELECTED
    return _joined(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, escape(value))
        for name, value in attrs.items()
        if value is not False
    )


def _joined(pieces) -> SafeString:
    return format_html_join("", "{}", ((p,) for p in pieces))


def _options(choices) -> SafeString:
    return _joined(
        format_html(
            '\n  <option value="{}"{}>{}</option>',
            escape(option["value"]),
            _attrs(option["attrs"]),
            option["label"],
        )
        for option in choices
    )


def select_html(widget: dict) -> SafeString:
    groups = _joined(
        format_html('\n  <optgroup label="{}">{}\n  </optgroup>', name, _options(choices))
        if name
        else _options(choices)
        for name, choices, _index in widget["optgroups"]
    )
    return format_html(
        '<select name="{}"{}>{}\n</select>', widget["name"], _attrs(widget["attrs"]), groups
    )


def input_html(widget: dict) -> SafeString:
    """``input.html``: the value only when it is not None."""
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        format_html(' value="{}"', escape(value)) if value is not None else "",
        _attrs(widget["attrs"]),
    )


def textarea_html(widget: dict) -> SafeString:
    """``textarea.html``: a newline after the opening tag, the value when truthy."""
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        _attrs(widget["attrs"]),
        widget["value"] or "",
    )


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return input_html(context["widget"])
        if template_name == TEXTAREA:
            return textarea_html(context["widget"])
        if template_name == SELECT:
            widget = context["widget"]
            if all(
                option.get("template_name", OPTION) == OPTION
                for _name, choices, _index in widget["optgroups"]
                for option in choices
            ):
                return select_html(widget)
        return super().render(template_name, context, request=request)
