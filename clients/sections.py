"""The client 360° page is assembled from sections that apps register, so
clients depends on none of the apps that fill it (communications, risk,
loyalty). Register in AppConfig.ready():

    from clients.sections import register_client_section
    register_client_section(order=30, template="communications/_client_timeline.html",
                            context=timeline_context)

``context(request, client) -> dict`` builds its data from selectors; ``client``
has already passed the access policy. The template sees the dict's keys
directly and as ``section.<key>`` (``{% render_section %}``). Keep each section to a fixed number of
queries (the 360° page asserts its query count).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ClientSection:
    order: int
    template: str
    context: Callable


_SECTIONS: list[ClientSection] = []


def register_client_section(*, order: int, template: str, context: Callable) -> None:
    if any(s.template == template for s in _SECTIONS):
        return
    _SECTIONS.append(ClientSection(order, template, context))
    _SECTIONS.sort(key=lambda s: s.order)


def client_sections(request, client) -> list[dict]:
    return [{"template": s.template, **s.context(request, client)} for s in _SECTIONS]
