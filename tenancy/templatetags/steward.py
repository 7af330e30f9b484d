from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context, section: dict):
    """Render a registered section (My day, client 360°) with its context
    dict available both spread out (``holdings``) and as ``section.holdings``."""
    tpl = context.template.engine.get_template(section["template"])
    with context.push(section=section, **section):
        return tpl.render(context)


# --- a URL per row, cheaply ------------------------------------------------------------

_PLACEHOLDER = "918273645"  # an id no URL of the project contains otherwise
_id_urls: dict[tuple, tuple[str, str] | None] = {}


def _split_url(name: str) -> tuple[str, str] | None:
    # per script prefix (set per request); the project sets no per-request
    # urlconf, and a changed ROOT_URLCONF (tests) empties the memo
    key = (get_script_prefix(), name)
    try:
        return _id_urls[key]
    except KeyError:
        url = reverse(name, args=[int(_PLACEHOLDER)])
        parts = url.split(_PLACEHOLDER)
        _id_urls[key] = (parts[0], parts[1]) if len(parts) == 2 else None
        return _id_urls[key]


@receiver(setting_changed)
def _forget_id_urls(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _id_urls.clear()


@register.filter
def id_url(value, name: str) -> str:
    """``{{ row.client_id|id_url:"clients:detail" }}`` is
    ``{% url "clients:detail" row.client_id %}`` for a URL with one integer
    argument: reversed once per name with a placeholder id, then each row's id
    put in its place. For tables of many rows, where a ``reverse()`` per link
    is a large part of the rendering (the risk desk: ~400 links)."""
    split = _split_url(name)
    if split is None:  # pragma: no cover - a pattern that repeats the id
        return reverse(name, args=[int(value)])
    return f"{split[0]}{int(value)}{split[1]}"
