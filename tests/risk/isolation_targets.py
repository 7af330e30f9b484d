"""Ids of one bank's risk objects for the URL walk (tests/isolation/README.md)."""

from __future__ import annotations

from risk.models import RiskAlert
from tenancy.context import tenant_scope

from .helpers import make_assessment, make_client, make_collateral, make_group, make_limit


def _client(bank):
    return make_client(bank)


def _assessment(bank):
    return make_assessment(bank, _client(bank)).pk


def _alert(bank):
    client = _client(bank)
    with tenant_scope(bank.tenant):
        return RiskAlert.objects.create(
            client=client, kind="past_due", severity="high", raised_at=client.created_at
        ).pk


TARGETS = {
    "risk:alert_detail": lambda bank: {"alert_id": _alert(bank)},
    "risk:alert_update": lambda bank: {"alert_id": _alert(bank)},
    "riskalert-detail": lambda bank: {"pk": _alert(bank)},
    "risk:assessment_create": lambda bank: {"client_id": _client(bank).pk},
    "risk:classification_set": lambda bank: {"client_id": _client(bank).pk},
    "risk:what_if": lambda bank: {"client_id": _client(bank).pk},
    "risk:group_limit_create": lambda bank: {"group_id": make_group(bank, _client(bank)).pk},
    "risk:assessment_detail": lambda bank: {"assessment_id": _assessment(bank)},
    "risk:assessment_submit": lambda bank: {"assessment_id": _assessment(bank)},
    "risk:assessment_decide": lambda bank: {"assessment_id": _assessment(bank)},
    "riskassessment-detail": lambda bank: {"pk": _assessment(bank)},
    "riskassessment-submit": lambda bank: {"pk": _assessment(bank)},
    "riskassessment-approve": lambda bank: {"pk": _assessment(bank)},
    "riskassessment-reject": lambda bank: {"pk": _assessment(bank)},
    "collateral-detail": lambda bank: {"pk": make_collateral(bank, _client(bank)).pk},
    "creditlimit-detail": lambda bank: {"pk": make_limit(bank, _client(bank)).pk},
    "client-exposure": lambda bank: {"client_id": _client(bank).pk},
    "client-exposure-what-if": lambda bank: {"client_id": _client(bank).pk},
    "client-classification": lambda bank: {"client_id": _client(bank).pk},
}


def _watch_entry(bank):
    from risk import watchlist

    client = _client(bank)
    with bank.scope():
        return watchlist.watch_add(user=bank.risk_officer, client=client, reason="x").pk


TARGETS.update(
    {
        "risk:watch_add": lambda bank: {"client_id": _client(bank).pk},
        "risk:watch_remove": lambda bank: {"client_id": _client(bank).pk},
        "watchlistentry-detail": lambda bank: {"pk": _watch_entry(bank)},
        "watchlistentry-remove": lambda bank: {"pk": _watch_entry(bank)},
    }
)
