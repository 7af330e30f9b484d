"""The review calendar: the four kinds in one place with the right dates, who
sees what, the page, the API, the desk panel; query counts flat."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from risk import calendar
from risk.models import ClientRating, Collateral, ReviewKind
from risk.scale import risk_settings
from tenancy.context import tenant_scope

from .helpers import (
    DESK_BUDGET,
    make_assessment,
    make_client,
    make_collateral,
    make_group,
    make_group_limit,
    make_limit,
)

TODAY = timezone.localdate()  # the tenant's day (Asia/Shanghai), as the pages and the sweep
PAGE_BUDGET = 16  # session, user, tenant, layout + the union's count and one page
API_BUDGET = 8


def _add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def _items(bank, user, **kw):
    with tenant_scope(bank.tenant):
        return list(calendar.review_calendar(user=user, **kw))


def _by_kind(items):
    out = {}
    for i in items:
        out.setdefault(i.kind, []).append(i)
    return out


def _collateral(bank, client, *, kind, valued_at, next_revaluation_at=None):
    c = make_collateral(bank, client, kind=kind)
    with tenant_scope(bank.tenant):
        Collateral.objects.filter(pk=c.pk).update(
            valued_at=valued_at, next_revaluation_at=next_revaluation_at
        )
    return c


def test_the_calendar_lists_the_four_kinds_with_their_dates(bank):
    c = make_client(bank, kyc_risk_level="high", kyc_reviewed_on=date(2026, 3, 1))
    a = make_assessment(bank, c, status="approved")
    with tenant_scope(bank.tenant):
        rating = ClientRating.objects.get(client=c)
    estate = _collateral(bank, c, kind="real_estate", valued_at=date(2026, 1, 10))
    late = _collateral(
        bank,
        c,
        kind="real_estate",
        valued_at=date(2026, 1, 10),
        next_revaluation_at=date(2028, 1, 1),
    )
    early = _collateral(
        bank,
        c,
        kind="real_estate",
        valued_at=date(2026, 1, 10),
        next_revaluation_at=date(2026, 6, 1),
    )
    stock = _collateral(
        bank,
        c,
        kind="securities",
        valued_at=date(2026, 1, 10),
        next_revaluation_at=date(2026, 9, 9),
    )
    _collateral(bank, c, kind="securities", valued_at=date(2026, 1, 10))  # no date: absent
    old = make_limit(bank, c, days=40)
    limit = make_limit(bank, c, days=90)  # supersedes the old one
    items = _by_kind(_items(bank, bank.rm))
    assert [i.due_on for i in items[ReviewKind.RATING_REVIEW]] == [rating.next_review_at]
    assert items[ReviewKind.RATING_REVIEW][0].item_id == c.pk
    assert [i.due_on for i in items[ReviewKind.KYC_REFRESH]] == [date(2027, 3, 1)]  # high: 1 year
    reval = {i.item_id: i.due_on for i in items[ReviewKind.REVALUATION]}
    assert reval == {
        estate.pk: date(2027, 1, 10),  # real estate: valued + 12 months
        late.pk: date(2027, 1, 10),  # the earlier of the two
        early.pk: date(2026, 6, 1),
        stock.pk: date(2026, 9, 9),
    }
    limits = items[ReviewKind.LIMIT_EXPIRY]
    assert [(i.item_id, i.due_on) for i in limits] == [(limit.pk, limit.expires_on)]
    assert old.pk not in [i.item_id for i in limits]
    assert a.pk  # the rating came from an approved assessment
    dates = [i.due_on for i in _items(bank, bank.rm)]
    assert dates == sorted(dates)


@pytest.mark.parametrize(("level", "years"), [("high", 1), ("medium", 2), ("low", 3)])
def test_kyc_refresh_follows_the_level_and_the_settings(bank, level, years):
    c = make_client(bank, kyc_risk_level=level, kyc_reviewed_on=date(2025, 5, 20))
    items = _by_kind(_items(bank, bank.rm))
    assert [i.due_on for i in items[ReviewKind.KYC_REFRESH]] == [
        _add_years(date(2025, 5, 20), years)
    ]
    with tenant_scope(bank.tenant):
        s = risk_settings()
        setattr(s, f"kyc_refresh_years_{level}", 5)
        s.save()
    items = _by_kind(_items(bank, bank.rm))
    assert [i.due_on for i in items[ReviewKind.KYC_REFRESH]] == [date(2030, 5, 20)]
    assert c.pk == items[ReviewKind.KYC_REFRESH][0].client_id


def test_kyc_falls_back_to_the_next_review_date_and_no_date_is_not_listed(bank):
    make_client(bank, kyc_risk_level="low", kyc_reviewed_on=None, next_kyc_review=date(2026, 8, 8))
    make_client(bank, kyc_risk_level="low", kyc_reviewed_on=None, next_kyc_review=None)
    items = _by_kind(_items(bank, bank.rm))
    assert [i.due_on for i in items[ReviewKind.KYC_REFRESH]] == [date(2026, 8, 8)]


@pytest.mark.parametrize(
    ("level", "reviewed"),
    [
        ("high", date(2024, 2, 29)),
        ("medium", date(2023, 6, 15)),
        ("low", date(2022, 1, 1)),
        ("low", None),
    ],
)
def test_the_kyc_window_is_exact_at_its_edges(bank, level, reviewed):
    """The window is read from the stored columns (an index) and then exactly
    from the due date: a due date on either edge is in, a day outside is out,
    also for 29 February and for clients never refreshed."""
    c = make_client(
        bank, kyc_risk_level=level, kyc_reviewed_on=reviewed, next_kyc_review=date(2026, 9, 9)
    )
    with tenant_scope(bank.tenant):
        due = calendar.review_calendar(user=bank.rm, kinds=[ReviewKind.KYC_REFRESH])[0].due_on
    one = timedelta(days=1)
    kinds = [ReviewKind.KYC_REFRESH]
    assert [
        i.client_id for i in _items(bank, bank.rm, kinds=kinds, due_after=due, due_before=due)
    ] == [c.pk]
    assert _items(bank, bank.rm, kinds=kinds, due_before=due - one) == []
    assert _items(bank, bank.rm, kinds=kinds, due_after=due + one) == []
    assert len(_items(bank, bank.rm, kinds=kinds, due_after=due - one, due_before=due + one)) == 1


def test_real_estate_rule_follows_the_settings(bank):
    c = make_client(bank)
    col = _collateral(bank, c, kind="real_estate", valued_at=date(2026, 1, 31))
    with tenant_scope(bank.tenant):
        s = risk_settings()
        s.real_estate_revaluation_months = 6
        s.save()
    items = _by_kind(_items(bank, bank.rm))
    assert [(i.item_id, i.due_on) for i in items[ReviewKind.REVALUATION]][0][0] == col.pk
    assert items[ReviewKind.REVALUATION][0].due_on.year == 2026
    assert items[ReviewKind.REVALUATION][0].due_on.month in (7, 8)  # 31 Jan + 6 months


def test_filters_kind_overdue_and_range(bank):
    c = make_client(bank, kyc_risk_level="high", kyc_reviewed_on=TODAY - timedelta(days=400))
    make_limit(bank, c, days=10)
    assert {i.kind for i in _items(bank, bank.rm, overdue=True)} == {ReviewKind.KYC_REFRESH}
    assert {i.kind for i in _items(bank, bank.rm, overdue=False)} == {ReviewKind.LIMIT_EXPIRY}
    assert _items(bank, bank.rm, kinds=[ReviewKind.REVALUATION]) == []
    assert len(_items(bank, bank.rm, due_before=TODAY + timedelta(days=5))) == 1
    assert len(_items(bank, bank.rm, due_after=TODAY + timedelta(days=11))) == 0
    overdue = _items(bank, bank.rm, overdue=True)[0]
    assert overdue.overdue and overdue.days_left < 0


def test_an_rm_sees_only_own_clients_and_other_tenants_see_nothing(bank, other_bank):
    mine = make_client(bank, next_kyc_review=TODAY)
    theirs = make_client(bank, manager=bank.other_rm, next_kyc_review=TODAY)
    make_limit(bank, theirs)
    assert {i.client_id for i in _items(bank, bank.rm)} == {mine.pk}
    assert {i.client_id for i in _items(bank, bank.risk_officer)} == {mine.pk, theirs.pk}
    assert _items(other_bank, other_bank.risk_officer) == []


def test_api_lists_filters_and_validates(bank, other_bank, api_for):
    c = make_client(bank, next_kyc_review=TODAY - timedelta(days=3))
    make_limit(bank, c, days=20)
    api = api_for(bank.risk_officer)
    r = api.get("/api/v1/risk-calendar/")
    assert r.status_code == 200
    assert r.data["count"] == 2
    first = r.data["results"][0]
    assert first == {
        "kind": "kyc_refresh",
        "client": {"id": c.pk, "name": c.name},
        "item_id": c.pk,
        "due_on": (TODAY - timedelta(days=3)).isoformat(),
        "overdue": True,
        "days_left": -3,
    }
    assert api.get("/api/v1/risk-calendar/?kind=limit_expiry").data["count"] == 1
    assert api.get("/api/v1/risk-calendar/?overdue=true").data["count"] == 1
    assert api.get(f"/api/v1/risk-calendar/?client={c.pk}").data["count"] == 2
    assert api.get("/api/v1/risk-calendar/?client=999999").data["count"] == 0
    due = (TODAY + timedelta(days=1)).isoformat()
    assert api.get(f"/api/v1/risk-calendar/?due_before={due}").data["count"] == 1
    assert api.get(f"/api/v1/risk-calendar/?due_after={due}").data["count"] == 1
    bad = api.get("/api/v1/risk-calendar/?due_before=tomorrow")
    assert bad.status_code == 400 and "due_before" in str(bad.data)
    assert api.get("/api/v1/risk-calendar/?kind=nope").status_code == 400
    assert api_for(other_bank.risk_officer).get("/api/v1/risk-calendar/").data["count"] == 0


def _populate(bank, n):
    for i in range(n):
        c = make_client(bank, kyc_risk_level="medium", kyc_reviewed_on=TODAY - timedelta(days=700))
        make_collateral(bank, c)
        make_limit(bank, c, days=5 + i)
        if i % 2:
            make_assessment(bank, c, status="approved")


@pytest.mark.parametrize("n", [2, 12])
def test_calendar_page_and_api_query_counts_are_flat(
    bank, web_for, api_for, n, django_assert_max_num_queries
):
    _populate(bank, n)
    web = web_for(bank.risk_officer)
    with django_assert_max_num_queries(PAGE_BUDGET):
        r = web.get(reverse("risk:calendar"))
    assert r.status_code == 200
    assert len(r.context["page"].object_list) >= n * 3
    assert "Review calendar" in r.content.decode() or "复核日历" in r.content.decode()
    api = api_for(bank.risk_officer)
    with django_assert_max_num_queries(API_BUDGET):
        r = api.get("/api/v1/risk-calendar/")
    assert r.data["count"] >= n * 3


def test_page_filters_and_links_to_the_client(bank, web_for):
    c = make_client(bank, next_kyc_review=TODAY - timedelta(days=1))
    make_limit(bank, c, days=60)
    web = web_for(bank.rm)
    r = web.get(reverse("risk:calendar") + "?window=overdue")
    rows = r.context["page"].object_list
    assert [i.kind for i in rows] == ["kyc_refresh"]
    assert reverse("clients:detail", args=[c.pk]) in r.content.decode()
    r = web.get(reverse("risk:calendar") + "?window=next30")
    assert list(r.context["page"].object_list) == []
    r = web.get(reverse("risk:calendar") + "?kind=limit_expiry")
    assert [i.kind for i in r.context["page"].object_list] == ["limit_expiry"]


def test_the_desk_shows_overdue_and_next_30_days(bank, web_for):
    c = make_client(bank, next_kyc_review=TODAY - timedelta(days=1))
    make_limit(bank, c, days=60)  # beyond 30 days: not on the desk
    r = web_for(bank.risk_officer).get(reverse("risk:desk"))
    assert [i.kind for i in r.context["calendar"]] == ["kyc_refresh"]
    assert reverse("risk:calendar") in r.content.decode()


@pytest.mark.parametrize("n", [2, 12])
def test_the_desk_panel_keeps_the_desk_query_count_flat(
    bank, web_for, n, django_assert_max_num_queries
):
    _populate(bank, n)
    web = web_for(bank.risk_officer)
    web.get(reverse("risk:desk"))  # the first request of a session writes its row
    with django_assert_max_num_queries(DESK_BUDGET):
        r = web.get(reverse("risk:desk"))
    assert min(10, 2 * n) <= len(r.context["calendar"]) <= 10


@pytest.mark.parametrize("limit", [1, 3, 10, 12])
def test_the_desk_panel_is_the_first_rows_of_the_calendar(bank, limit):
    """The desk merges the first rows of each part; it must list exactly what
    the calendar lists first, across kinds and KYC levels."""
    for i, level in enumerate(["high", "medium", "low", "high", "low"]):
        make_client(bank, kyc_risk_level=level, kyc_reviewed_on=date(2021 + i % 3, 3 + i, 10 + i))
    make_client(bank, kyc_risk_level="low", kyc_reviewed_on=None, next_kyc_review=TODAY)
    c = make_client(bank)
    make_limit(bank, c, days=5)
    _collateral(bank, c, kind="deposit", valued_at=date(2025, 1, 1), next_revaluation_at=TODAY)
    _collateral(bank, c, kind="real_estate", valued_at=date(2024, 2, 1))
    # real estate due on its next date (before the 12-month cap) and at its cap
    # (the next date lies after it): the desk reads them from two parts
    year_ago = _add_years(TODAY, -1)
    _collateral(
        bank,
        c,
        kind="real_estate",
        valued_at=year_ago + timedelta(days=20),
        next_revaluation_at=TODAY + timedelta(days=2),
    )
    _collateral(
        bank,
        c,
        kind="real_estate",
        valued_at=year_ago + timedelta(days=10),
        next_revaluation_at=TODAY + timedelta(days=200),
    )
    with tenant_scope(bank.tenant):
        desk = calendar.desk_calendar(user=bank.risk_officer, limit=limit)
        page = calendar.review_calendar(
            user=bank.risk_officer, due_before=TODAY + timedelta(days=30)
        )[:limit]
    assert len(page) == min(limit, 11)  # eleven items fall due in the window
    assert [(i.kind, i.item_id, i.due_on) for i in desk] == [
        (i.kind, i.item_id, i.due_on) for i in page
    ]


def test_the_client_page_shows_its_next_due_dates(bank, web_for):
    c = make_client(bank, next_kyc_review=TODAY - timedelta(days=1))
    limit = make_limit(bank, c, days=100)
    other = make_client(bank, next_kyc_review=TODAY)
    r = web_for(bank.rm).get(reverse("clients:detail", args=[c.pk]))
    body = r.content.decode()
    assert 'data-testid="next-due"' in body
    assert limit.expires_on.strftime("%Y-%m-%d") in body
    assert (TODAY - timedelta(days=1)).strftime("%Y-%m-%d") in body
    assert (
        TODAY.strftime("%Y-%m-%d") not in body.split('data-testid="next-due"')[1].split("</ul>")[0]
    )
    assert other.pk != c.pk


@pytest.mark.parametrize("level,reviewed", [("high", date(2024, 2, 29)), ("low", None)])
@pytest.mark.parametrize("limit", [3, 5, 20])
def test_one_clients_next_due_dates_are_the_calendars_first_rows(bank, level, reviewed, limit):
    """The 360° page computes one client's next due dates in Python from the
    rows its risk section has (``client_next_due``); they must be the
    calendar's: every kind, real estate at and before its cap, a superseded
    client limit, a group limit (two of that group's), another group's, and
    nothing of another client."""
    c = make_client(
        bank,
        kyc_risk_level=level,
        kyc_reviewed_on=reviewed,
        next_kyc_review=TODAY + timedelta(days=40),
    )
    other = make_client(bank, next_kyc_review=TODAY - timedelta(days=300))
    make_assessment(bank, c, status="approved")
    year_ago = TODAY - timedelta(days=365)
    _collateral(bank, c, kind="real_estate", valued_at=year_ago)  # due at its cap
    _collateral(
        bank, c, kind="real_estate", valued_at=year_ago, next_revaluation_at=TODAY + timedelta(9)
    )
    _collateral(
        bank, c, kind="real_estate", valued_at=year_ago, next_revaluation_at=TODAY + timedelta(900)
    )
    _collateral(bank, c, kind="deposit", valued_at=year_ago, next_revaluation_at=TODAY)
    _collateral(bank, c, kind="deposit", valued_at=year_ago)  # no date: not listed
    _collateral(bank, other, kind="deposit", valued_at=year_ago, next_revaluation_at=TODAY)
    make_limit(bank, c, days=-5)  # superseded by the next one
    make_limit(bank, c, days=60)
    make_limit(bank, other, days=1)
    family, company = make_group(bank, c, other, name="Family"), make_group(bank, c, name="Co")
    make_group_limit(bank, family, days=2)
    make_group_limit(bank, family, days=30)
    make_group_limit(bank, company, days=-1)
    with tenant_scope(bank.tenant):
        client = Client.objects.get(pk=c.pk)
        collaterals = list(Collateral.objects.filter(client=client))
        ours = calendar.client_next_due(client=client, collaterals=collaterals, limit=limit)
        theirs = calendar.review_calendar(user=bank.risk_officer, client=client)[:limit]
    assert len(theirs) == min(limit, 9)  # rating, KYC, 4 revaluations, 3 limits
    assert [(i.kind, i.client_id, i.client_name, i.item_id, i.due_on) for i in ours] == [
        (i.kind, i.client_id, i.client_name, i.item_id, i.due_on) for i in theirs
    ]


@pytest.mark.parametrize("months", [1, 6, 12, 36])
def test_the_revaluation_bound_never_drops_a_valuation_that_is_due(months):
    """The desk bounds real estate due at its cap on ``valued_at`` itself (so an
    index walk stops); every valuation due by the day must be inside the bound,
    across month ends and 29 February."""
    from risk.calendar import revaluation_cap_bound
    from risk.rules import add_months

    start = date(2023, 11, 1)
    for d in range(0, 900, 3):
        due_before = start + timedelta(days=d)
        bound = revaluation_cap_bound(due_before, months)
        for back in range(40):
            valued = add_months(due_before, -months) + timedelta(days=back - 20)
            if add_months(valued, months) <= due_before:
                assert valued < bound, (valued, due_before)
