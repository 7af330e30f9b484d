"""'My day' is assembled from sections that other apps register, so tenancy
depends on none of them. An app registers in its AppConfig.ready():

    from tenancy.home import register_section
    register_section(order=10, template="communications/_my_day.html", context=my_day_context)

``context(request) -> dict`` must build its data from selectors (access policy);
the template sees its keys directly and as ``section.<key>`` (``{% render_section %}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    order: int
    template: str
    context: Callable


_SECTIONS: list[Section] = []


def register_section(*, order: int, template: str, context: Callable) -> None:
    if any(s.template == template for s in _SECTIONS):
        return
    _SECTIONS.append(Section(order, template, context))
    _SECTIONS.sort(key=lambda s: s.order)


def my_day_sections(request) -> list[dict]:
    return [{"template": s.template, **s.context(request)} for s in _SECTIONS]


# --- /manage/ tiles --------------------------------------------------------------
# Apps add their administration pages to /manage/ (same idea):
#     register_manage_tile(order=10, url_name="clients:assignments",
#                          title=_("Manager assignment"), text=_("..."))


@dataclass(frozen=True)
class ManageTile:
    order: int
    url_name: str
    title: str
    text: str


_TILES: list[ManageTile] = []


def register_manage_tile(*, order: int, url_name: str, title, text) -> None:
    if any(t.url_name == url_name for t in _TILES):
        return
    _TILES.append(ManageTile(order, url_name, title, text))
    _TILES.sort(key=lambda t: t.order)


def manage_tiles() -> list[dict]:
    from django.urls import reverse

    return [{"url": reverse(t.url_name), "title": t.title, "text": t.text} for t in _TILES]


# --- top bar ----------------------------------------------------------------------
# Small templates an app shows in every page's top bar for tenant staff (e.g.
# communications' unread-notifications badge), so the base layout names no app:
#     register_topbar_item(order=10, template="communications/_nav_badge.html")

_TOPBAR: list[tuple[int, str]] = []


def register_topbar_item(*, order: int, template: str) -> None:
    if all(t != template for _, t in _TOPBAR):
        _TOPBAR.append((order, template))
        _TOPBAR.sort()


def topbar_templates() -> list[str]:
    return [template for _, template in _TOPBAR]
