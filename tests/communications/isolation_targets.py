"""Ids of one bank's objects for the URL walk (tests/isolation/README.md)."""

from __future__ import annotations

from communications.models import Notification
from communications.services import calendar_token_rotate
from tests.communications.factories import make_followup, make_interaction
from tests.factories import ClientFactory


def _client(bank):
    return ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)


def _followup(bank):
    return make_followup(_client(bank), bank.rm).pk


def _interaction(bank):
    return make_interaction(_client(bank), bank.rm).pk


def _notification(bank):
    return Notification.objects.create(recipient=bank.admin, title="t").pk


TARGETS = {
    "communications:followup_create": lambda bank: {"client_id": _client(bank).pk},
    "communications:followup_status": lambda bank: {"followup_id": _followup(bank)},
    "communications:followup_snooze": lambda bank: {"followup_id": _followup(bank)},
    "communications:client_log": lambda bank: {"client_id": _client(bank).pk},
    "communications:client_timeline": lambda bank: {"client_id": _client(bank).pk},
    "communications:contact_warnings": lambda bank: {"client_id": _client(bank).pk},
    "communications:interaction_detail": lambda bank: {"interaction_id": _interaction(bank)},
    "communications:interaction_edit": lambda bank: {"interaction_id": _interaction(bank)},
    "communications:interaction_amend": lambda bank: {"interaction_id": _interaction(bank)},
    "communications:notification_read": lambda bank: {"notification_id": _notification(bank)},
    # a feed token is the credential itself; a signed-in user of another bank gets 404
    "communications:calendar_feed": lambda bank: {"token": calendar_token_rotate(user=bank.rm)},
    "interaction-detail": lambda bank: {"pk": _interaction(bank)},
    "followup-detail": lambda bank: {"pk": _followup(bank)},
    "notification-detail": lambda bank: {"pk": _notification(bank)},
    "notification-read": lambda bank: {"pk": _notification(bank)},
}
