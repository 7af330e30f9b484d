"""Ids of one bank's risk objects for the URL walk (tests/isolation/README.md)."""

from __future__ import annotations

from .helpers import make_assessment, make_client, make_collateral, make_group, make_limit


def _client(bank):
    return make_client(bank)


def _assessment(bank):
    return make_assessment(bank, _client(bank)).pk


TARGETS = {
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
