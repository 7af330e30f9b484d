"""Ids of one bank's event objects for the URL walk (tests/isolation/README.md)."""

from __future__ import annotations

from .event_helpers import make_event


def _event(bank):
    return make_event(bank).pk


TARGETS = {
    "event-detail": lambda bank: {"pk": _event(bank)},
    "event-invitations": lambda bank: {"pk": _event(bank)},
    "loyalty:event": lambda bank: {"event_id": _event(bank)},
    "loyalty:event_edit": lambda bank: {"event_id": _event(bank)},
    "loyalty:event_invite": lambda bank: {"event_id": _event(bank)},
    "loyalty:event_check_in": lambda bank: {"event_id": _event(bank)},
}
