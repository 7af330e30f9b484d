"""Helpers for the portfolio tests (issue 3 part B): build products, holdings
and transactions inside a bank's scope."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clients.models import Client, Holding, Product, Transaction
from tenancy.context import tenant_scope

_seq = count(1)


def make_product(tenant, **kw) -> Product:
    n = next(_seq)
    fields = {
        "code": f"P{n:05d}",
        "name": f"Product {n}",
        "category": "fund",
        "risk_level": 3,
        "min_investment": Decimal("1000"),
    }
    fields.update(kw)
    with tenant_scope(tenant):
        return Product.objects.create(tenant=tenant, **fields)


def make_holding(
    client: Client, *, balance="1000.00", kind="deposit", product=None, currency="CNY"
) -> Holding:
    n = next(_seq)
    with tenant_scope(client.tenant_id):
        return Holding.objects.create(
            tenant_id=client.tenant_id,
            client=client,
            product=product,
            kind=product.category if product else kind,
            account_number=f"A{n:08d}",
            balance=Decimal(balance),
            currency=currency,
        )


def make_transactions(
    client: Client, n: int, *, category="fund", days_ago=10, amount="100.00"
) -> None:
    with tenant_scope(client.tenant_id):
        Transaction.objects.bulk_create(
            [
                Transaction(
                    tenant_id=client.tenant_id,
                    client=client,
                    occurred_at=timezone.now() - timedelta(days=days_ago),
                    amount=Decimal(amount),
                    currency="CNY",
                    direction="out",
                    category=category,
                    external_ref=f"R{next(_seq):09d}",
                )
                for _ in range(n)
            ]
        )


def csv_file(text: str, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def stream(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))
