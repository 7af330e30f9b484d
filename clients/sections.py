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

from tenancy.registry import Registry


@dataclass(frozen=True)
class ClientSection:
    template: str
    context: Callable


CLIENT_SECTIONS: Registry[ClientSection] = Registry("client 360° sections")


def register_client_section(*, order: int, template: str, context: Callable) -> None:
    CLIENT_SECTIONS.register(template, ClientSection(template, context), order=order)


def client_sections(request, client) -> list[dict]:
    return [{"template": s.template, **s.context(request, client)} for s in CLIENT_SECTIONS]
