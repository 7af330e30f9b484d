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

from html import escape

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
LABEL = "django/forms/label.html"
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


def _safe(markup: str) -> SafeString:
    """Markup built here from escaped values only (every value goes through
    ``_esc``; names and tags are Django's)."""
    return mark_safe(markup)  # noqa: S308 - every value in it went through _esc


def _esc(value) -> str:
    """The template engine's autoescape (``conditional_escape``) without its
    lazy-string wrapper: a safe string as it is, anything else escaped."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else escape(str(value))


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"``, a bare `` name`` for True, nothing for False.
    (An option's attributes are nearly always none or ``selected``: an option
    list can hold hundreds.)"""
    if not attrs:
        return ""
    if attrs == {"selected": True}:
        return " selected"
    return "".join(
        f" {_esc(name)}" if value is True else f' {_esc(name)}="{_esc(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options(choices) -> str:
    return "".join(
        f'\n  <option value="{_esc(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_esc(option['label'])}</option>"
        for option in choices
    )


def select_html(widget: dict) -> SafeString:
    groups = "".join(
        f'\n  <optgroup label="{_esc(name)}">{_options(choices)}\n  </optgroup>'
        if name
        else _options(choices)
        for name, choices, _index in widget["optgroups"]
    )
    return _safe(
        f'<select name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>{groups}\n</select>'
    )


def input_html(widget: dict) -> SafeString:
    """``input.html``: the value only when it is not None."""
    value = widget["value"]
    shown = f' value="{_esc(value)}"' if value is not None else ""
    return _safe(
        f'<input type="{_esc(widget["type"])}" name="{_esc(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def textarea_html(widget: dict) -> SafeString:
    """``textarea.html``: a newline after the opening tag, the value when truthy."""
    return _safe(
        f'<textarea name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_esc(widget['value'] or '')}</textarea>"
    )


def label_html(context: dict) -> SafeString:
    """``label.html``: the tag with its attributes, or the bare label."""
    if not context["use_tag"]:
        return _safe(_esc(context["label"]))
    tag = _esc(context["tag"])
    return _safe(f"<{tag}{_attrs(context['attrs'])}>{_esc(context['label'])}</{tag}>")


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return input_html(context["widget"])
        if template_name == TEXTAREA:
            return textarea_html(context["widget"])
        if template_name == LABEL:
            return label_html(context)
        if template_name == SELECT:
            widget = context["widget"]
            if all(
                option.get("template_name", OPTION) == OPTION
                for _name, choices, _index in widget["optgroups"]
                for option in choices
            ):
                return select_html(widget)
        return super().render(template_name, context, request=request)
