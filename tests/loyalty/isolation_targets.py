"""Ids of one bank's survey objects for the URL walk (tests/isolation/README.md)."""

from __future__ import annotations

from loyalty.models import ServiceRecovery
from tenancy.context import tenant_scope

from .survey_helpers import answered, make_client


def _recovery(bank):
    answered(bank, make_client(bank), 2)
    with tenant_scope(bank.tenant):
        return ServiceRecovery.objects.order_by("-pk").first().pk


TARGETS = {
    "loyalty:recovery": lambda bank: {"recovery_id": _recovery(bank)},
    "loyalty:survey_invite": lambda bank: {"client_id": make_client(bank).pk},
}
