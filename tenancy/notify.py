"""In-app notifications without importing the app that stores them.

An app that has something to tell staff (risk: an assessment's outcome, an
alert, a review falling due; loyalty: a detractor) calls ``notify``; the app
that owns the notifications centre (communications) registers the sink that
writes its rows. Tenancy depends on neither (``tenancy.registry`` rules)::

    from tenancy.notify import Notice, notify
    notify([Notice(recipient_id=u.pk, title=..., body=..., url=...)])

``notify`` runs inside the caller's transaction and tenant scope: the rows
commit or roll back with the change they announce. Titles and bodies are
rendered by the caller in the tenant's language. With no sink registered
(an app switched off) nothing is written and ``notify`` returns 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from .registry import Registry


@dataclass(frozen=True)
class Notice:
    recipient_id: int
    title: str
    body: str = ""
    url: str = ""
    created_at: datetime | None = None


NOTIFICATION_SINKS: Registry[Callable[[list[Notice]], int]] = Registry("notification sinks")


def register_notification_sink(*, key: str, sink: Callable[[list[Notice]], int]) -> None:
    NOTIFICATION_SINKS.register(key, sink)


def notify(notices: Iterable[Notice]) -> int:
    """Hand ``notices`` to every registered sink; returns how many the first
    sink wrote (there is one: the notifications centre)."""
    notices = [n for n in notices if n.recipient_id]
    if not notices:
        return 0
    written = [sink(notices) for sink in NOTIFICATION_SINKS]
    return written[0] if written else 0
