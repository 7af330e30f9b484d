"""URL kwargs for the isolation walk (issue 3 part B). Called inside ``bank``'s scope."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from clients.models import Client, Holding, ImportJob, Product, Transaction


def _client(bank):
    client = Client.objects.filter(external_id="ISO-PORTFOLIO").first()
    return client or Client.objects.create(
        tenant=bank.tenant,
        name="Isolation client",
        external_id="ISO-PORTFOLIO",
        branch=bank.branch,
        dedicated_manager=bank.rm,
    )


def _product(bank):
    return Product.objects.get_or_create(
        code="ISO-P",
        defaults={
            "tenant": bank.tenant,
            "name": "Isolation product",
            "category": "fund",
            "risk_level": 2,
        },
    )[0]


def _holding(bank):
    return Holding.objects.get_or_create(
        client=_client(bank),
        account_number="ISO-ACC",
        defaults={"tenant": bank.tenant, "kind": "deposit", "balance": Decimal("10")},
    )[0]


def _transaction(bank):
    return Transaction.objects.get_or_create(
        external_ref="ISO-T",
        defaults={
            "tenant": bank.tenant,
            "client": _client(bank),
            "occurred_at": timezone.now(),
            "amount": Decimal("1"),
            "direction": "in",
            "category": "deposit",
        },
    )[0]


def _job(bank):
    return ImportJob.objects.create(
        tenant=bank.tenant, kind="clients", file_name="iso.csv", created_by=bank.admin
    )


TARGETS = {
    "clients:product_edit": lambda bank: {"product_id": _product(bank).pk},
    "clients:import_detail": lambda bank: {"job_id": _job(bank).pk},
    "clients:import_confirm": lambda bank: {"job_id": _job(bank).pk},
    "product-detail": lambda bank: {"pk": _product(bank).pk},
    "holding-detail": lambda bank: {"pk": _holding(bank).pk},
    "transaction-detail": lambda bank: {"pk": _transaction(bank).pk},
    "import-detail": lambda bank: {"pk": _job(bank).pk},
    "import-confirm": lambda bank: {"pk": _job(bank).pk},
}
