"""Certification gating (issue 11): a product whose category requires a
certification is never recommended to a viewer without a valid one — on the
360° page's data (clients.selectors.portfolio.client_portfolio), which passes
the viewer to recommend()."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from clients.recommendation_gates import gate_products
from clients.selectors.portfolio import client_portfolio, product_list
from clients.selectors.recommendations import recommend
from tests.clients.portfolio_helpers import make_product
from tests.factories import ClientFactory

from .training_helpers import days, require, trained

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(bank):
    """A balanced client of bank.rm, a suitable fund and a suitable bond."""
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        risk_tolerance="balanced",
        aum=10**6,
    )
    make_product(bank.tenant, code="FUND1", name="Gated fund", category="fund", risk_level=2)
    make_product(bank.tenant, code="BOND1", name="Free bond", category="bond", risk_level=2)
    require(bank, "fund", "fund")
    return client


def _offered(bank, client, user) -> set[str]:
    with bank.scope():
        recs = client_portfolio(user=user, client=client).recommendations
    return {r.product.code for r in recs}


def test_rm_without_the_certification_is_not_offered_the_gated_product(bank, offer):
    assert _offered(bank, offer, bank.rm) == {"BOND1"}


def test_rm_with_a_valid_certification_is_offered_it(bank, offer):
    trained(bank, bank.rm, certification="fund", expires_on=days(30))
    assert _offered(bank, offer, bank.rm) == {"FUND1", "BOND1"}


def test_a_certification_without_expiry_is_valid(bank, offer):
    trained(bank, bank.rm, certification="fund")
    assert "FUND1" in _offered(bank, offer, bank.rm)


def test_a_certification_expiring_today_is_still_valid(bank, offer):
    trained(bank, bank.rm, certification="fund", expires_on=days(0))
    assert "FUND1" in _offered(bank, offer, bank.rm)


def test_an_expired_certification_does_not_count(bank, offer):
    trained(bank, bank.rm, certification="fund", expires_on=days(-1))
    assert _offered(bank, offer, bank.rm) == {"BOND1"}


def test_another_certification_does_not_count(bank, offer):
    trained(bank, bank.rm, certification="cfp")
    assert _offered(bank, offer, bank.rm) == {"BOND1"}


def test_a_colleagues_certification_does_not_count(bank, offer):
    trained(bank, bank.other_rm, certification="fund")
    assert _offered(bank, offer, bank.rm) == {"BOND1"}


def test_another_tenants_training_does_not_count(bank, other_bank, offer):
    """A training row of the other bank naming our RM (impossible through the
    services, written here directly) is not read: the gate reads the tenant
    in scope only."""
    from performance.models import Training

    with other_bank.scope():
        Training.objects.create(
            user=bank.rm,
            course="x",
            hours=1,
            completed_on=days(-10),
            certification="fund",
        )
    assert _offered(bank, offer, bank.rm) == {"BOND1"}


def test_another_tenants_requirement_does_not_gate(bank, other_bank):
    client = ClientFactory(
        tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, aum=10**6
    )
    make_product(bank.tenant, code="FUND2", category="fund", risk_level=1)
    require(other_bank, "fund", "fund")
    assert _offered(bank, client, bank.rm) == {"FUND2"}


def test_the_gate_applies_to_whoever_views_the_recommendations(bank, offer):
    """The branch head and the admin are gated like the RM (the recommendations
    are offered to the viewer); certified, they see the product."""
    assert "FUND1" not in _offered(bank, offer, bank.admin)
    assert "FUND1" not in _offered(bank, offer, bank.branch_head)
    trained(bank, bank.branch_head, certification="fund")
    assert "FUND1" in _offered(bank, offer, bank.branch_head)


def test_the_360_page_hides_the_gated_product_from_an_uncertified_rm(bank, offer, web_for):
    html = web_for(bank.rm).get(f"/clients/{offer.pk}/").content.decode()
    assert "Free bond" in html and "Gated fund" not in html


def test_the_360_page_shows_it_to_a_certified_rm(bank, offer, web_for):
    trained(bank, bank.rm, certification="fund", expires_on=days(365))
    html = web_for(bank.rm).get(f"/clients/{offer.pk}/").content.decode()
    assert "Gated fund" in html


def test_a_user_of_another_tenant_is_offered_nothing_gated(bank, other_bank, offer):
    """Fails closed: a viewer outside the tenant in scope holds nothing."""
    trained(other_bank, other_bank.rm, certification="fund")
    with bank.scope():
        products = gate_products(user=other_bank.rm, products=product_list(user=bank.rm))
        assert set(products.values_list("code", flat=True)) == {"BOND1"}


def test_gating_needs_a_queryset(bank, offer):
    with bank.scope(), pytest.raises(TypeError):
        recommend(client=offer, products=[], held_product_ids=set(), user=bank.rm)


def test_the_gate_adds_no_query_to_the_360_sections(bank, offer, django_assert_max_num_queries):
    trained(bank, bank.rm, certification="fund")
    request = RequestFactory().get("/")
    request.user = bank.rm
    with bank.scope(), django_assert_max_num_queries(3):
        client_portfolio(user=bank.rm, client=offer, request=request)
