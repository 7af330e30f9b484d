"""What apps add to the base layout (``templates/base.html``), so it names no
app: the navigation and the small templates of the top bar. In an app's
AppConfig.ready():

    from tenancy.layout import register_nav_item, register_topbar_item
    register_nav_item(order=20, url_name="clients:list", label=_("Clients"))
    register_nav_item(order=30, url_name="communications:followups", label=_("Follow-ups"),
                      roles=(Role.RM, Role.BRANCH_HEAD, Role.ADMIN))
    register_topbar_item(order=10, template="communications/_nav_badge.html")

An app registers only URLs it mounts (``reverse`` failing is a bug, not a
hidden entry). ``roles=None`` shows the item to every staff role. The item
whose URL is the longest prefix of the current path is the active one, so
``/manage/audit/`` highlights "Audit trail" and not also "Administration".
One entry per URL name or template (``tenancy.registry`` rules).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse

from .registry import Registry


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[str] | None


NAV_ITEMS: Registry[NavItem] = Registry("navigation")
TOPBAR_ITEMS: Registry[str] = Registry("top bar")


def register_nav_item(
    *, order: int, url_name: str, label, roles: Iterable[str] | None = None
) -> None:
    NAV_ITEMS.register(
        url_name,
        NavItem(url_name, label, None if roles is None else frozenset(roles)),
        order=order,
    )


def register_topbar_item(*, order: int, template: str) -> None:
    TOPBAR_ITEMS.register(template, template, order=order)


def topbar_templates() -> list[str]:
    return TOPBAR_ITEMS.entries()


def _matches(url: str, path: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def nav_items(*, role: str, path: str) -> list[dict]:
    """The items ``role`` sees, in order; the longest URL that prefixes ``path`` is active."""
    items = [
        {"url": reverse(item.url_name), "label": item.label, "name": item.url_name}
        for item in NAV_ITEMS
        if item.roles is None or role in item.roles
    ]
    matching = [item for item in items if _matches(item["url"], path)]
    active = max(matching, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is active
    return items
