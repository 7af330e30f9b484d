from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clients.models import Client, Product
from clients.services.portfolio import client_totals_recompute, product_create, product_update
from tenancy.models import AuditEvent

from .portfolio_helpers import make_holding


def test_aum_sums_non_loan_holdings_in_cny_and_exposure_sums_loans(bank, client_of):
    make_holding(client_of, balance="1000.00", kind="deposit")
    make_holding(client_of, balance="10.00", kind="fund", currency="USD")
    make_holding(client_of, balance="500.00", kind="loan")
    with bank.scope():
        client_totals_recompute(client_ids=[client_of.pk])
        client = Client.objects.get(pk=client_of.pk)
    assert client.aum == Decimal("1071.00")
    assert client.exposure == Decimal("500.00")


def test_totals_recompute_is_one_update_per_batch(bank, django_assert_num_queries):
    from tests.factories import ClientFactory

    clients = [ClientFactory(tenant=bank.tenant, branch=bank.branch) for _ in range(20)]
    for c in clients:
        make_holding(c, balance="5")
    with bank.scope(), django_assert_num_queries(1):
        client_totals_recompute(client_ids=[c.pk for c in clients])


def test_admin_creates_a_product_and_it_is_audited(bank):
    with bank.scope():
        product = product_create(
            actor=bank.admin,
            code="FD1",
            name="Fund",
            category="fund",
            risk_level=4,
            is_esg=True,
            min_investment=Decimal("1000"),
        )
        assert AuditEvent.objects.filter(
            action="clients.product_created", object_id=str(product.pk)
        ).exists()
    assert product.is_esg and product.risk_level == 4


def test_product_code_is_unique_per_tenant(bank, other_bank):
    with bank.scope():
        product_create(actor=bank.admin, code="FD1", name="Fund", category="fund", risk_level=2)
        with pytest.raises(ValidationError) as exc:
            product_create(
                actor=bank.admin, code="FD1", name="Again", category="fund", risk_level=2
            )
    assert "code" in exc.value.message_dict
    with other_bank.scope():
        product_create(
            actor=other_bank.admin, code="FD1", name="Fund", category="fund", risk_level=2
        )


def test_product_risk_level_outside_1_to_5_is_refused(bank):
    with bank.scope(), pytest.raises(ValidationError) as exc:
        product_create(actor=bank.admin, code="X", name="X", category="fund", risk_level=6)
    assert "risk_level" in exc.value.message_dict


def test_only_an_admin_changes_the_catalogue(bank):
    with bank.scope():
        product = product_create(
            actor=bank.admin, code="FD1", name="Fund", category="fund", risk_level=2
        )
        with pytest.raises(PermissionDenied):
            product_update(actor=bank.rm, product=product, name="Mine")
        product_update(actor=bank.admin, product=product, name="Renamed", is_active=False)
        assert Product.objects.get(pk=product.pk).name == "Renamed"
