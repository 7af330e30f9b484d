"""Group exposure, group limits and the connected-group cap: the rules, the
exposure API and the what-if, credit limits for groups, the calendar, the
pages; isolation and query counts at two sizes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from risk import calendar, groups, rules
from risk.models import CreditLimit
from tenancy.context import tenant_scope

from .helpers import DESK_BUDGET, make_client, make_group, make_group_limit, set_capital


def _settings(tier1="1000000", pct="20"):
    return SimpleNamespace(tier1_capital=Decimal(tier1), group_cap_pct=Decimal(pct))


# --- rules -----------------------------------------------------------------------------------


def test_group_cap_is_a_share_of_tier1():
    found = rules.group_breaches(exposure=Decimal("200001"), limit=None, settings=_settings())
    assert [(b.code, b.limit, b.excess) for b in found] == [
        ("group_cap", Decimal("200000.00"), Decimal("1.00"))
    ]
    assert rules.group_breaches(exposure=Decimal("200000"), limit=None, settings=_settings()) == []


def test_group_limit_breach_and_no_cap_without_tier1():
    found = rules.group_breaches(
        exposure=Decimal("500"), limit=Decimal("400"), settings=_settings(tier1="0"), group=7
    )
    assert [(b.code, b.excess, b.group) for b in found] == [("group_limit", Decimal("100"), 7)]


# --- exposure ---------------------------------------------------------------------------------


def test_group_exposure_sums_every_member_and_flags_the_cap(bank, api_for):
    set_capital(bank, tier1="1000000")  # cap 20% = 200,000
    a = make_client(bank, exposure="150000")
    b = make_client(bank, exposure="60000.50", manager=bank.other_rm)
    g = make_group(bank, a, b)
    make_group_limit(bank, g, amount="30000", currency="USD")
    r = api_for(bank.risk_officer).get(f"/api/v1/clients/{a.pk}/exposure/")
    assert r.status_code == 200
    (row,) = r.json()["groups"]
    assert row["id"] == g.pk and row["kind"] == "corporate_group"
    assert row["exposure"] == "210000.50"
    assert row["share_of_tier1"] == "0.2100"
    limit = Decimal(row["limit"])
    assert limit > Decimal("30000")  # USD converted to CNY
    assert row["breaches"] == ["group_cap"] or row["breaches"] == ["group_limit", "group_cap"]
    assert r.json()["breaches"] == []  # the client alone is within its caps


def test_rm_sees_the_total_but_only_visible_member_names(bank, api_for):
    a = make_client(bank, exposure="100", name="Visible Co")
    hidden = make_client(bank, exposure="900", manager=bank.other_rm, name="Hidden Co")
    make_group(bank, a, hidden, kind="household")
    (row,) = api_for(bank.rm).get(f"/api/v1/clients/{a.pk}/exposure/").json()["groups"]
    assert row["exposure"] == "1000.00"
    assert row["members"] == [{"id": a.pk, "name": "Visible Co"}]
    assert row["hidden_members"] == 1
    assert "Hidden Co" not in str(row)


def test_what_if_names_the_group_cap(bank, api_for):
    set_capital(bank, tier1="1000000", net="100000000")
    a = make_client(bank, exposure="100000")
    b = make_client(bank, exposure="90000")
    g = make_group(bank, a, b)
    url = f"/api/v1/clients/{a.pk}/exposure/what-if/"
    r = api_for(bank.rm).post(url, {"amount": "20000"}, format="json").json()
    assert r["ok"] is False
    assert r["breaches"] == [
        {
            "code": "group_cap",
            "limit": "200000.00",
            "excess": "10000.00",
            "group": g.pk,
            "group_name": g.name,
        }
    ]
    ok = api_for(bank.rm).post(url, {"amount": "10000"}, format="json").json()
    assert ok["ok"] is True


def test_what_if_names_the_group_limit(bank, api_for):
    a = make_client(bank, exposure="100")
    g = make_group(bank, a, make_client(bank, exposure="100"))
    make_group_limit(bank, g, amount="250")
    r = api_for(bank.rm).post(
        f"/api/v1/clients/{a.pk}/exposure/what-if/", {"amount": "100"}, format="json"
    )
    assert [(b["code"], b["excess"], b["group"]) for b in r.json()["breaches"]] == [
        ("group_limit", "50.00", g.pk)
    ]


def test_newest_unexpired_group_limit_applies(bank):
    g = make_group(bank, make_client(bank, exposure="10"))
    make_group_limit(bank, g, amount="100")
    newest = make_group_limit(bank, g, amount="200")
    make_group_limit(bank, g, amount="999", days=-1)  # expired
    with tenant_scope(bank.tenant):
        (row,) = groups.group_exposure_rows()
    assert (row.limit, row.limit_id, row.exposure) == (Decimal("200.00"), newest.pk, Decimal("10"))


def test_group_exposure_rows_for_the_whole_tenant(bank, django_assert_num_queries):
    a, b, c = (make_client(bank, exposure=x) for x in ("1", "2", "4"))
    g1 = make_group(bank, a, b)
    g2 = make_group(bank, b, c, kind="household", name="Wang family")
    make_group(bank, name="Empty")
    with tenant_scope(bank.tenant), django_assert_num_queries(3):
        rows = groups.group_exposure_rows()
    assert [(r.group_id, r.exposure, r.member_ids) for r in rows] == [
        (g1.pk, Decimal("3.00"), sorted([a.pk, b.pk])),
        (g2.pk, Decimal("6.00"), sorted([b.pk, c.pk])),
    ]


# --- group limits through the API ---------------------------------------------------------------


def _limit_body(**kw):
    return {"amount": "5000000", "currency": "CNY", "expires_on": "2027-12-31", **kw}


def test_risk_officer_sets_a_group_limit_and_filters_by_group(bank, api_for):
    g = make_group(bank, make_client(bank))
    api = api_for(bank.risk_officer)
    r = api.post("/api/v1/credit-limits/", _limit_body(group=g.pk), format="json")
    assert r.status_code == 201, r.json()
    assert (r.json()["group"], r.json()["client"]) == (g.pk, None)
    listed = api.get(f"/api/v1/credit-limits/?group={g.pk}").json()
    assert [x["id"] for x in listed["results"]] == [r.json()["id"]]


@pytest.mark.parametrize("role", ["rm", "branch_head", "admin", "compliance"])
def test_only_risk_officers_set_group_limits(bank, api_for, role):
    g = make_group(bank, make_client(bank))
    r = api_for(bank.users()[role]).post(
        "/api/v1/credit-limits/", _limit_body(group=g.pk), format="json"
    )
    assert r.status_code == 403


def test_a_limit_needs_exactly_one_of_client_and_group(bank, api_for):
    c = make_client(bank)
    g = make_group(bank, c)
    api = api_for(bank.risk_officer)
    both = api.post("/api/v1/credit-limits/", _limit_body(client=c.pk, group=g.pk), format="json")
    assert both.status_code == 400 and "group" in both.json()
    neither = api.post("/api/v1/credit-limits/", _limit_body(), format="json")
    assert neither.status_code == 400 and "client" in neither.json()


def test_another_tenants_group_or_an_empty_group_is_refused(bank, other_bank, api_for):
    foreign = make_group(other_bank, make_client(other_bank))
    empty = make_group(bank, name="Empty")
    api = api_for(bank.risk_officer)
    for gid in (foreign.pk, empty.pk):
        r = api.post("/api/v1/credit-limits/", _limit_body(group=gid), format="json")
        assert r.status_code in (400, 404)
    with tenant_scope(bank.tenant):
        assert not CreditLimit.objects.filter(group__isnull=False).exists()


def test_rm_sees_group_limits_only_of_groups_with_a_visible_member(bank, api_for):
    mine = make_group(bank, make_client(bank))
    theirs = make_group(bank, make_client(bank, manager=bank.other_rm), name="Other")
    seen = make_group_limit(bank, mine)
    make_group_limit(bank, theirs)
    listed = api_for(bank.rm).get("/api/v1/credit-limits/").json()["results"]
    assert [x["id"] for x in listed] == [seen.pk]


# --- calendar ------------------------------------------------------------------------------------


def test_group_limit_expiry_is_one_row_on_the_first_visible_member(bank):
    a, b = make_client(bank), make_client(bank)
    g = make_group(bank, a, b)
    limit = make_group_limit(bank, g, days=10)
    with tenant_scope(bank.tenant):
        rows = list(calendar.review_calendar(user=bank.rm, kinds=["limit_expiry"]))
        mine = list(calendar.review_calendar(user=bank.rm, client=b, kinds=["limit_expiry"]))
        other = list(calendar.review_calendar(user=bank.other_rm, kinds=["limit_expiry"]))
    assert [(r.item_id, r.client_id) for r in rows] == [(limit.pk, min(a.pk, b.pk))]
    assert [(r.item_id, r.client_id) for r in mine] == [(limit.pk, b.pk)]
    assert other == []
    assert rows[0].due_on == date.today() + timedelta(days=10)


# --- pages ---------------------------------------------------------------------------------------


def test_360_shows_groups_and_the_risk_officer_sets_a_limit(bank, web_for):
    set_capital(bank, tier1="1000")
    a = make_client(bank, exposure="300")
    g = make_group(bank, a, make_client(bank, exposure="1"))
    web = web_for(bank.risk_officer)
    html = web.get(reverse("clients:detail", args=[a.pk])).content.decode()
    assert 'data-testid="client-groups"' in html and 'data-breach="group_cap"' in html
    r = web.post(
        reverse("risk:group_limit_create", args=[g.pk]),
        {"amount": "100", "currency": "CNY", "expires_on": "2027-12-31", "next": "/risk/"},
    )
    assert r.status_code == 302
    with tenant_scope(bank.tenant):
        assert CreditLimit.objects.filter(group=g, amount=100).exists()


def test_rm_cannot_post_a_group_limit(bank, web_for):
    g = make_group(bank, make_client(bank))
    r = web_for(bank.rm).post(
        reverse("risk:group_limit_create", args=[g.pk]),
        {"amount": "100", "currency": "CNY", "expires_on": "2027-12-31"},
    )
    assert r.status_code == 403


def _groups(bank, n):
    for i in range(n):
        members = [make_client(bank, exposure=str(100 * (i + 1))) for _ in range(3)]
        g = make_group(bank, *members, name=f"G{i}")
        make_group_limit(bank, g, amount="150")


@pytest.mark.parametrize("n", [3, 25])
def test_desk_groups_table_query_count_is_flat(bank, web_for, django_assert_max_num_queries, n):
    set_capital(bank, tier1="1000")
    _groups(bank, n)
    web = web_for(bank.risk_officer)
    with django_assert_max_num_queries(DESK_BUDGET):
        r = web.get(reverse("risk:desk"))
    rows = r.context["group_concentration"]
    assert len(rows) == min(n, 20)
    assert rows[0].exposure == Decimal(300 * n)
    assert {b.code for b in rows[0].breaches} == {"group_limit", "group_cap"}


def test_desk_groups_table_lists_only_groups_with_a_member_the_user_sees(bank, web_for):
    """A branch head's desk: the group with a member in the subtree (its exposure
    over all members, the sibling branch's too); not the group wholly outside."""
    inside = make_client(bank, exposure="100")
    outside = make_client(bank, exposure="5000", branch=bank.sibling_branch, manager=bank.other_rm)
    far = make_client(bank, exposure="9000", branch=bank.sibling_branch, manager=bank.other_rm)
    mixed = make_group(bank, inside, outside, name="Mixed")
    elsewhere = make_group(bank, far, name="Elsewhere")
    rows = web_for(bank.branch_head).get(reverse("risk:desk")).context["group_concentration"]
    assert [(g.id, g.exposure, g.members) for g in rows] == [(mixed.pk, Decimal("5100"), 2)]
    officer = web_for(bank.risk_officer).get(reverse("risk:desk")).context["group_concentration"]
    assert [g.id for g in officer] == [elsewhere.pk, mixed.pk]


@pytest.mark.parametrize("n", [2, 30])
def test_exposure_api_query_count_is_flat(bank, api_for, django_assert_max_num_queries, n):
    a = make_client(bank, exposure="1")
    for i in range(n):
        g = make_group(bank, a, *[make_client(bank, exposure="1") for _ in range(3)], name=f"G{i}")
        make_group_limit(bank, g)
    api = api_for(bank.rm)
    with django_assert_max_num_queries(
        17
    ):  # the same at both sizes: groups add three, alerts and the watch list one each
        r = api.get(f"/api/v1/clients/{a.pk}/exposure/")
    assert len(r.json()["groups"]) == n
    assert all(len(g["members"]) == 4 for g in r.json()["groups"])
