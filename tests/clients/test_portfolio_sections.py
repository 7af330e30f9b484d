import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from clients import sections as registry
from tests.factories import ClientFactory

from .portfolio_helpers import make_holding, make_product, make_transactions

TEMPLATES = {
    "clients/portfolio/_section_holdings.html",
    "clients/portfolio/_section_transactions.html",
    "clients/portfolio/_section_preferences.html",
    "clients/portfolio/_section_recommendations.html",
}


def client_sections(request, client):
    """Only this part's sections (others, e.g. the timeline, have their own budgets)."""
    return [
        {"template": s.template, **s.context(request, client)}
        for s in registry.CLIENT_SECTIONS
        if s.template in TEMPLATES
    ]


def _render(bank, client, user):
    request = RequestFactory().get("/")
    request.user = user
    with bank.scope():
        sections = [s for s in client_sections(request, client) if s["template"] in TEMPLATES]
        return "".join(render_to_string(s["template"], s, request=request) for s in sections), len(
            sections
        )


def test_sections_show_holdings_summary_preferences_and_reasoned_recommendations(bank):
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        risk_tolerance="balanced",
        aum=100000,
        interests=["esg"],
    )
    held = make_product(bank.tenant, code="HELD", name="Held fund", risk_level=2)
    make_holding(client, balance="50000", product=held)
    make_transactions(client, 3, category="fund")
    make_product(bank.tenant, code="GREEN", name="Green fund", risk_level=3, is_esg=True)
    make_product(bank.tenant, code="HOT", name="Hot stock fund", risk_level=5)
    html, count = _render(bank, client, bank.rm)
    assert count == 4
    assert "Held fund" in html and "Green fund" in html and "Hot stock fund" not in html
    assert "ESG" in html


@pytest.mark.parametrize("n", [10, 200])
def test_sections_query_count_is_fixed(bank, django_assert_max_num_queries, n):
    client = ClientFactory(
        tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, aum=10**7
    )
    for i in range(n // 10):
        make_holding(client, balance="10", product=make_product(bank.tenant, risk_level=1 + i % 3))
    for i in range(n // 10):
        make_product(bank.tenant, risk_level=1 + i % 5)
    make_transactions(client, n)
    request = RequestFactory().get("/")
    request.user = bank.rm
    with bank.scope(), django_assert_max_num_queries(3):
        sections = [s for s in client_sections(request, client) if s["template"] in TEMPLATES]
        for s in sections:
            render_to_string(s["template"], s, request=request)


def test_the_360_page_itself_shows_the_sections_data(bank, web_for):
    """Through the real page (not just the section functions): the registry's
    dict reaches the templates."""
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        risk_tolerance="balanced",
        aum=100000,
    )
    held = make_product(bank.tenant, code="HELDX", name="Held fund X", risk_level=2)
    holding = make_holding(client, balance="50000", product=held)
    make_transactions(client, 3, category="fund")
    make_product(bank.tenant, code="GREENX", name="Green fund X", risk_level=2, is_esg=True)
    page = web_for(bank.rm).get(f"/clients/{client.pk}/").content.decode()
    assert holding.account_number in page and "Held fund X" in page
    assert "Green fund X" in page  # recommended
