"""Tiles on ``/manage/`` (tenant administration): each app adds a tile for its
own administration page, so tenancy names none of them. In AppConfig.ready():

    from tenancy.administration import register_manage_tile
    register_manage_tile(order=10, url_name="clients:bulk_reassign",
                         title=_("Manager assignment"), text=_("..."))

One tile per URL name (``tenancy.registry`` rules).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from .registry import Registry


@dataclass(frozen=True)
class ManageTile:
    url_name: str
    title: str
    text: str


MANAGE_TILES: Registry[ManageTile] = Registry("/manage/ tiles")


def register_manage_tile(*, order: int, url_name: str, title, text) -> None:
    MANAGE_TILES.register(url_name, ManageTile(url_name, title, text), order=order)


def manage_tiles() -> list[dict]:
    return [{"url": reverse(t.url_name), "title": t.title, "text": t.text} for t in MANAGE_TILES]
