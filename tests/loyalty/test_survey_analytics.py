"""/loyalty/ analytics and the client 360° loyalty section: NPS on known
answers by RM, branch and month; visible clients only; query counts flat."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loyalty.surveys import analytics
from tenancy.context import tenant_scope
from tests.factories import UserFactory

from .survey_helpers import answered, make_client

pytestmark = pytest.mark.django_db


def test_nps_of_10_9_2_is_plus_33_3_by_rm_branch_and_month(bank):
    now = timezone.now()
    for score in (10, 9, 2):
        answered(bank, make_client(bank), score, at=now - timedelta(hours=1))
    other = UserFactory(username="a_rm3", tenant=bank.tenant, role="rm", branch=bank.sibling_branch)
    earlier = now - timedelta(days=40)
    answered(bank, make_client(bank, manager=other, branch=bank.sibling_branch), 0, at=earlier)
    zone = timezone.get_current_timezone()
    with tenant_scope(bank.tenant):
        qs = analytics.answers_since(user=bank.admin, since=now - timedelta(days=90))
        scores = analytics.breakdown(qs, zone, {"standard": "Standard"})
    rm_rows = {s.key: s.nps for s in scores.by_rm}
    branch_rows = {s.key: s.nps for s in scores.by_branch}
    month_rows = {s.label: s.nps for s in scores.by_month}
    tier_rows = {s.key: (s.answers, s.promoters, s.detractors) for s in scores.by_tier}
    overall = scores.overall
    assert rm_rows == {bank.rm.pk: Decimal("33.3"), other.pk: Decimal("-100.0")}
    assert branch_rows == {
        bank.branch.pk: Decimal("33.3"),
        bank.sibling_branch.pk: Decimal("-100.0"),
    }
    this_month = (now - timedelta(hours=1)).astimezone(zone).strftime("%Y-%m")
    assert month_rows == {
        earlier.astimezone(zone).strftime("%Y-%m"): Decimal("-100.0"),
        this_month: Decimal("33.3"),
    }
    assert overall.nps == Decimal("0.0")  # 2 promoters, 2 detractors of 4
    assert sum(n for n, _, _ in tier_rows.values()) == 4


def test_nps_value_rounds_to_one_decimal():
    assert analytics.nps_value(2, 1, 3) == Decimal("33.3")
    assert analytics.nps_value(0, 0, 0) is None
    assert analytics.nps_value(1, 2, 3) == Decimal("-33.3")


def test_the_dashboard_shows_only_the_rms_clients(bank, web_for):
    answered(bank, make_client(bank, name="Mine Ltd"), 10, comment="great service")
    answered(bank, make_client(bank, manager=bank.other_rm, name="Theirs Ltd"), 1, comment="awful")
    html = web_for(bank.rm).get("/loyalty/").content.decode()
    assert "Mine Ltd" in html and "great service" in html
    assert "Theirs Ltd" not in html and "awful" not in html
    assert 'data-testid="nps-overall">+100.0' in html


def test_another_tenant_sees_nothing_on_the_dashboard(bank, other_bank, web_for):
    answered(bank, make_client(bank, name="Bank A client"), 3, comment="bank a words")
    html = web_for(other_bank.admin).get("/loyalty/").content.decode()
    assert "Bank A client" not in html and "bank a words" not in html


def _grow(bank, n):
    rm2 = UserFactory(username=f"a_rm_g{n}", tenant=bank.tenant, role="rm", branch=bank.branch)
    for i in range(n):
        c = make_client(bank, manager=rm2 if i % 2 else bank.rm, tier=("gold", "silver")[i % 2])
        answered(
            bank, c, (i * 3) % 11, comment=f"c{i}", at=timezone.now() - timedelta(days=40 * (i % 3))
        )


def _count(web, url):
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["branch_head", "rm", "admin"])
def test_the_dashboard_query_count_is_flat(bank, web_for, role):
    web = web_for(getattr(bank, role))
    _grow(bank, 3)
    small = _count(web, "/loyalty/")
    _grow(bank, 15)
    assert _count(web, "/loyalty/") == small


def test_the_360_loyalty_section_shows_history_and_is_flat(bank, web_for):
    c = make_client(bank)
    web = web_for(bank.rm)
    answered(bank, c, 2, comment="first", at=timezone.now() - timedelta(days=200))
    url = f"/clients/{c.pk}/"
    small = _count(web, url)
    for i in range(8):
        answered(bank, c, 9, comment=f"later {i}", at=timezone.now() - timedelta(days=100 - i))
    html = web.get(url).content.decode()
    assert 'data-testid="loyalty-section"' in html and 'data-testid="open-recoveries"' in html
    assert 'data-testid="timeline-survey"' in html
    assert _count(web, url) == small


def test_staff_invite_from_the_360_page_shows_the_link(bank, web_for):
    c = make_client(bank, consent=())
    web = web_for(bank.rm)
    r = web.post(f"/loyalty/clients/{c.pk}/survey-invite/", follow=True)
    assert r.status_code == 200
    assert "/s/" in r.content.decode()
    assert (
        web_for(bank.compliance).post(f"/loyalty/clients/{c.pk}/survey-invite/").status_code == 403
    )


@pytest.mark.parametrize("with_answers", [True, False])
def test_grouping_sets_and_the_portable_union_give_the_same_tables(bank, with_answers):
    """PostgreSQL reads the answers once with GROUPING SETS; SQLite (make demo)
    groups a CTE five times — both must produce the same five tables."""
    if with_answers:
        now = timezone.now()
        for i, score in enumerate((10, 9, 2, 7, 0)):
            client = make_client(bank, manager=(bank.rm, bank.other_rm)[i % 2], tier="gold")
            answered(bank, client, score, at=now - timedelta(days=35 * i))
    zone = timezone.get_current_timezone()
    tiers = {"gold": "Gold", "standard": "Standard"}
    with tenant_scope(bank.tenant):
        qs = analytics.answers_since(user=bank.admin, since=timezone.now() - timedelta(days=400))
        tables = [
            analytics.breakdown(qs, zone, tiers, grouping_sets=flag)
            for flag in (True, False)
            if flag is False or connection.vendor == "postgresql"
        ]
    assert all(t == tables[0] for t in tables)
    first = tables[0]
    if with_answers:
        assert first.overall.answers == 5 and len(first.by_rm) == 2
        assert len(first.by_month) == 5 and first.by_tier[0].key == "gold"
    else:
        assert first.overall.answers == 0 and first.overall.nps is None
        assert first.by_rm == first.by_branch == first.by_tier == first.by_month == []
