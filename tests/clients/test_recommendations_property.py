"""Suitability holds for every client of a generated portfolio (hypothesis)."""

from decimal import Decimal

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from clients.models import Client, Holding, Product, ProductCategory
from clients.selectors.recommendations import (
    FREQUENT_TRANSACTIONS_12M,
    TOLERANCE_LEVEL,
    VIP_TIERS,
    preference_profile,
    recommend,
    to_base,
)

CATEGORIES = ProductCategory.values
money = st.decimals(
    min_value=0, max_value=50_000_000, places=2, allow_nan=False, allow_infinity=False
)


@st.composite
def products(draw):
    n = draw(st.integers(min_value=0, max_value=25))
    out = []
    for i in range(n):
        p = Product(
            code=f"P{i:03d}",
            name=f"P{i}",
            category=draw(st.sampled_from(CATEGORIES)),
            risk_level=draw(st.integers(1, 5)),
            is_esg=draw(st.booleans()),
            vip_only=draw(st.booleans()),
            min_investment=draw(money),
            currency=draw(st.sampled_from(["CNY", "USD", "HKD"])),
            is_active=draw(st.booleans()),
        )
        p.pk = p.id = i + 1
        out.append(p)
    return out


@st.composite
def clients(draw, catalogue):
    client = Client(
        name="c",
        risk_tolerance=draw(st.sampled_from(list(TOLERANCE_LEVEL))),
        tier=draw(st.sampled_from(Client.Tier.values)),
        aum=draw(money),
        interests=draw(st.lists(st.sampled_from(["esg", "golf", "tax_planning"]), unique=True)),
    )
    held = (
        draw(st.lists(st.sampled_from(catalogue), unique_by=lambda p: p.pk, max_size=5))
        if catalogue
        else []
    )
    holdings = [
        Holding(kind=p.category, product=p, balance=draw(money), currency="CNY") for p in held
    ]
    summary = [
        {"category": c, "count": draw(st.integers(0, 50)), "total_in": 0, "total_out": 0}
        for c in draw(st.lists(st.sampled_from(["fund", "wealth", "deposit", "card"]), unique=True))
    ]
    return client, holdings, summary


@st.composite
def portfolios(draw):
    catalogue = draw(products())
    return catalogue, draw(st.lists(clients(catalogue), min_size=1, max_size=8))


@settings(max_examples=150, deadline=None)
@given(portfolios())
def test_recommendations_are_suitable_for_every_client(portfolio):
    catalogue, book = portfolio
    for client, holdings, summary in book:
        profile = preference_profile(holdings=holdings, transaction_summary=summary)
        held = {h.product.pk for h in holdings}
        recs = recommend(
            client=client, products=catalogue, held_product_ids=held, profile=profile, limit=50
        )
        max_level = TOLERANCE_LEVEL[client.risk_tolerance]
        for r in recs:
            p = r.product
            assert p.risk_level <= max_level
            assert not p.vip_only or client.tier in VIP_TIERS
            assert to_base(p.min_investment, p.currency) <= client.aum
            assert p.pk not in held
            assert p.is_active and p.category != ProductCategory.LOAN
            assert r.reasons
        if "esg" in client.interests:
            flags = [r.product.is_esg for r in recs]
            assert flags == sorted(flags, reverse=True)  # every ESG product before any other
        assert len({r.product.pk for r in recs}) == len(recs)


def test_a_suitable_product_is_recommended_with_its_reasons():
    client = Client(
        name="c",
        risk_tolerance="balanced",
        tier="standard",
        aum=Decimal("50000"),
        interests=["esg"],
    )
    esg = Product(
        code="E",
        name="E",
        category="fund",
        risk_level=3,
        is_esg=True,
        min_investment=Decimal("1000"),
    )
    esg.pk = 1
    risky = Product(code="R", name="R", category="fund", risk_level=5, min_investment=Decimal("0"))
    risky.pk = 2
    vip = Product(
        code="V",
        name="V",
        category="wealth",
        risk_level=1,
        vip_only=True,
        min_investment=Decimal("0"),
    )
    vip.pk = 3
    recs = recommend(client=client, products=[risky, vip, esg], held_product_ids=set())
    assert [r.product.code for r in recs] == ["E"]
    assert any("ESG" in reason for reason in recs[0].reasons)


def test_profile_infers_mix_risk_and_esg_share():
    fund = Product(code="F", name="F", category="fund", risk_level=4, is_esg=True)
    holdings = [
        Holding(kind="deposit", balance=Decimal("300"), currency="CNY"),
        Holding(kind="fund", product=fund, balance=Decimal("100"), currency="CNY"),
        Holding(kind="loan", balance=Decimal("999"), currency="CNY"),
    ]
    profile = preference_profile(
        holdings=holdings, transaction_summary=[{"category": "fund", "count": 70}]
    )
    assert profile.category_mix == [("deposit", Decimal("0.75")), ("fund", Decimal("0.25"))]
    assert profile.avg_risk_level == Decimal("4.0") and profile.esg_share == Decimal("0.25")
    assert profile.activity == "high" and profile.top_transaction_categories == ["fund"]


def _fund_client_and_product():
    client = Client(name="c", risk_tolerance="balanced", tier="standard", aum=Decimal("50000"))
    fund = Product(code="F", name="F", category="fund", risk_level=3, min_investment=Decimal("0"))
    fund.pk = 1
    return client, fund


def _reasons(count: int) -> list[str]:
    client, fund = _fund_client_and_product()
    profile = preference_profile(
        holdings=[], transaction_summary=[{"category": "fund", "count": count}]
    )
    with translation.override("en"):
        (rec,) = recommend(client=client, products=[fund], held_product_ids=set(), profile=profile)
    return rec.reasons


def test_a_few_transactions_are_not_called_frequent():
    # the 360° page reads "Low (4 transactions in 12 months)": no "frequent" reason beside it
    assert not any("frequent" in r for r in _reasons(4))
    assert not any("frequent" in r for r in _reasons(FREQUENT_TRANSACTIONS_12M - 1))


def test_frequent_transactions_reason_states_the_count_the_page_shows():
    (frequent,) = [r for r in _reasons(FREQUENT_TRANSACTIONS_12M) if "frequent" in r]
    assert f"({FREQUENT_TRANSACTIONS_12M} in the last 12 months)" in frequent
    profile = preference_profile(
        holdings=[],
        transaction_summary=[{"category": "fund", "count": FREQUENT_TRANSACTIONS_12M}],
    )
    assert profile.activity != "low"  # "frequent" never stands next to "low" activity


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CATEGORIES), st.integers(0, 80)), max_size=6))
def test_every_frequent_reason_matches_the_category_count(rows):
    summary = [{"category": c, "count": n} for c, n in rows]
    by_category: dict[str, int] = {}
    for c, n in rows:
        by_category[c] = by_category.get(c, 0) + n
    profile = preference_profile(holdings=[], transaction_summary=summary)
    client = Client(name="c", risk_tolerance="aggressive", tier="gold", aum=Decimal("10") ** 9)
    catalogue = []
    for i, category in enumerate(c for c in CATEGORIES if c != ProductCategory.LOAN):
        p = Product(code=f"P{i}", name="p", category=category, risk_level=1)
        p.pk = i + 1
        p.min_investment = Decimal("0")
        catalogue.append(p)
    with translation.override("en"):
        recs = recommend(
            client=client, products=catalogue, held_product_ids=set(), profile=profile, limit=50
        )
    assert recs
    for r in recs:
        frequent = [reason for reason in r.reasons if "frequent" in reason]
        count = by_category.get(r.product.category, 0)
        if frequent:
            assert count >= FREQUENT_TRANSACTIONS_12M
            assert f"({count} in the last 12 months)" in frequent[0]


def test_a_tiny_holding_is_not_called_a_new_category():
    client, fund = _fund_client_and_product()
    client.aum = Decimal("10000000")
    holdings = [
        Holding(kind="deposit", balance=Decimal("9999999"), currency="CNY"),
        Holding(kind="fund", balance=Decimal("0.01"), currency="CNY"),  # shows as "Fund 0%"
    ]
    profile = preference_profile(holdings=holdings, transaction_summary=[])
    with translation.override("en"):
        (rec,) = recommend(client=client, products=[fund], held_product_ids=set(), profile=profile)
    assert not any("does not hold yet" in r for r in rec.reasons)
