"""'My day' is assembled from sections that other apps register, so tenancy
depends on none of them. An app registers in its AppConfig.ready():

    from tenancy.home import register_section
    register_section(order=10, template="communications/_my_day.html", context=my_day_context)

``context(request) -> dict`` must build its data from selectors (access policy).
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
