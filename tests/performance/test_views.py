"""/performance/ dashboards and the drill-downs: who sees what, the ethical
wall, flat query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from performance import periods
from tenancy.context import tenant_scope
from tests.communications.factories import make_followup, make_interaction
from tests.factories import UserFactory

from .helpers import answered, make_client, run

pytestmark = pytest.mark.django_db


def _current(bank):
    with tenant_scope(bank.tenant):
        return periods.current_period()


@pytest.fixture
def scored(bank):
    mine, theirs = make_client(bank, name="Mine Co"), make_client(bank, manager=bank.other_rm)
    for score in (10, 9, 2):
        answered(bank, mine, score, comment=f"score {score}")
    answered(bank, theirs, 10)
    bank.far_rm = UserFactory(
        username="a_far_rm", tenant=bank.tenant, role="rm", branch=bank.sibling_branch
    )
    far_client = make_client(
        bank, manager=bank.far_rm, branch=bank.sibling_branch, name="Far Away Ltd"
    )
    answered(bank, far_client, 0)
    run(bank)
    bank.period = _current(bank)
    return bank


def _drill(web, key, scope, subject, period):
    return web.get(
        f"/performance/drill/{key}/", {"scope": scope, "subject": subject, "period": period}
    )


def test_branch_head_sees_the_subtree_ranked(scored, web_for):
    b = scored
    response = web_for(b.branch_head).get("/performance/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.subject_id for r in rows] == [b.other_rm.pk, b.rm.pk]  # best first
    assert [r.viewer_rank for r in rows] == [1, 2]
    html = response.content.decode()
    assert 'data-testid="kpi-chart"' in html and 'data-testid="kpi-chart-data"' in html
    assert "a_far_rm" not in html


def test_admin_compares_branches(scored, web_for):
    response = web_for(scored.admin).get("/performance/")
    assert response.context["scope"] == "branch"
    assert {r.subject_id for r in response.context["rows"]} == {
        scored.head_office.pk,
        scored.region.pk,
        scored.branch.pk,
        scored.sibling_branch.pk,
    }


def test_rm_sees_their_own_scorecard_only(scored, web_for):
    response = web_for(scored.rm).get("/performance/")
    assert response.status_code == 200
    assert response.context["row"].subject_id == scored.rm.pk
    assert response.context["kpis"]  # floors, targets and what would raise it
    html = response.content.decode()
    assert scored.other_rm.username not in html
    assert 'data-testid="how-to-improve"' in html


def test_satisfaction_score_opens_that_rms_detractors(scored, web_for):
    b = scored
    response = _drill(web_for(b.branch_head), "detractors", "rm", b.rm.pk, b.period)
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [(r.client.name, r.score) for r in rows] == [("Mine Co", 2)]


def test_drill_of_an_invisible_subject_is_404(scored, web_for):
    b = scored
    # a branch head outside the subject's subtree, an RM for a colleague
    assert (
        _drill(web_for(b.branch_head), "detractors", "rm", b.far_rm.pk, b.period).status_code == 404
    )
    assert _drill(web_for(b.rm), "detractors", "rm", b.other_rm.pk, b.period).status_code == 404
    assert (
        _drill(
            web_for(b.branch_head), "detractors", "branch", b.sibling_branch.pk, b.period
        ).status_code
        == 404
    )


def test_drill_lists_only_visible_clients(scored, web_for):
    """An admin's tenant drill-down lists every detractor; a branch head may
    not open the tenant's row at all."""
    b = scored
    response = _drill(web_for(b.admin), "detractors", "tenant", b.tenant.pk, b.period)
    assert {r.client.name for r in response.context["page"].object_list} == {
        "Mine Co",
        "Far Away Ltd",
    }
    assert (
        _drill(web_for(b.branch_head), "detractors", "tenant", b.tenant.pk, b.period).status_code
        == 404
    )


def test_drill_of_another_tenant_is_404(scored, other_bank, web_for):
    response = _drill(web_for(other_bank.admin), "detractors", "rm", scored.rm.pk, scored.period)
    assert response.status_code == 404


def test_drill_bad_parameters_are_404(scored, web_for):
    web = web_for(scored.admin)
    assert _drill(web, "nonsense", "rm", scored.rm.pk, scored.period).status_code == 404
    assert _drill(web, "detractors", "planet", scored.rm.pk, scored.period).status_code == 404
    assert _drill(web, "detractors", "rm", "x", scored.period).status_code == 404


def test_followup_notes_behind_the_wall_stay_hidden(bank, web_for):
    client = make_client(bank)
    secret = make_interaction(client, bank.rm, confidential=True, subject="M&A talk")
    make_followup(
        client,
        bank.rm,
        interaction=secret,
        note="Merger with Huaxin",
        due_at=timezone.now() - timezone.timedelta(days=2),
    )
    run(bank)
    period = _current(bank)
    head = _drill(web_for(bank.branch_head), "followups_overdue", "rm", bank.rm.pk, period)
    assert head.status_code == 200
    assert len(head.context["page"].object_list) == 1
    assert "Merger with Huaxin" not in head.content.decode()
    own = _drill(web_for(bank.rm), "followups_overdue", "rm", bank.rm.pk, period)
    assert "Merger with Huaxin" in own.content.decode()


@pytest.mark.parametrize(
    "key", ["lost_clients", "top_revenue", "reviews_overdue", "followups_overdue", "not_contacted"]
)
def test_every_drill_renders(scored, web_for, key):
    response = _drill(web_for(scored.admin), key, "branch", scored.region.pk, scored.period)
    assert response.status_code == 200


def test_top_revenue_orders_by_estimated_revenue(bank, web_for):
    from tests.clients.portfolio_helpers import make_holding

    small, big = make_client(bank, name="Small"), make_client(bank, name="Big")
    make_holding(small, balance="1000", kind="deposit")
    make_holding(big, balance="9000000", kind="fund")
    run(bank)
    response = _drill(web_for(bank.rm), "top_revenue", "rm", bank.rm.pk, _current(bank))
    assert [c.name for c in response.context["page"].object_list][:2] == ["Big", "Small"]


# --- query counts: flat at two data sizes --------------------------------------------


def _grow(bank, n):
    with tenant_scope(bank.tenant):
        pass
    for i in range(n):
        rm = UserFactory(
            username=f"a_grow_{bank.grown + i}", tenant=bank.tenant, role="rm", branch=bank.branch
        )
        c = make_client(bank, manager=rm, tier="gold")
        answered(bank, c, i % 11)
        make_followup(c, rm, due_at=timezone.now() - timezone.timedelta(days=1))
    bank.grown += n
    run(bank)


def _count(web, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["branch_head", "admin", "rm"])
def test_dashboard_query_count_is_flat(bank, web_for, role):
    bank.grown = 0
    web = web_for(getattr(bank, role))
    _grow(bank, 2)
    small = _count(web, "/performance/")
    _grow(bank, 12)
    assert _count(web, "/performance/") == small
    if role == "admin":
        assert _count(web, "/performance/", {"view": "rm"}) == small


@pytest.mark.parametrize(
    "key",
    [
        "detractors",
        "lost_clients",
        "top_revenue",
        "reviews_overdue",
        "followups_overdue",
        "not_contacted",
    ],
)
def test_drill_query_count_is_flat(bank, web_for, key):
    bank.grown = 0
    web = web_for(bank.branch_head)
    _grow(bank, 2)
    params = {"scope": "branch", "subject": bank.branch.pk, "period": _current(bank)}
    small = _count(web, f"/performance/drill/{key}/", params)
    _grow(bank, 12)
    assert _count(web, f"/performance/drill/{key}/", params) == small


def test_rm_reaches_the_scorecard_from_my_day(scored, web_for):
    html = web_for(scored.rm).get("/").content.decode()
    assert 'data-testid="my-scorecard-link"' in html


def test_nav_offers_performance_to_branch_heads_and_admins(scored, web_for):
    for user, expected in ((scored.branch_head, True), (scored.admin, True), (scored.rm, False)):
        nav = [i["name"] for i in web_for(user).get("/clients/").context["nav_items"]]
        assert ("performance:dashboard" in nav) is expected


def test_drill_leaves_out_a_client_the_viewer_no_longer_sees(bank, web_for):
    """The answer counts for the RM who managed the client when it answered;
    after the client moved to a colleague, the RM's drill-down no longer lists it."""
    moved = make_client(bank, name="Moved Away")
    answered(bank, moved, 1)
    run(bank)
    from clients.models import Client

    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=moved.pk).update(dedicated_manager=bank.other_rm)
    period = _current(bank)
    mine = _drill(web_for(bank.rm), "detractors", "rm", bank.rm.pk, period)
    assert mine.status_code == 200 and list(mine.context["page"].object_list) == []
    head = _drill(web_for(bank.branch_head), "detractors", "rm", bank.rm.pk, period)
    assert [r.client.name for r in head.context["page"].object_list] == ["Moved Away"]


def test_csv_export_is_what_the_viewer_sees_and_audited(scored, web_for):
    from tenancy.models import AuditEvent

    response = web_for(scored.branch_head).get("/performance/export/")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("period,scope,subject,subject_name,rank,total")
    assert len(lines) == 1 + 2  # the two RMs of the subtree
    assert "a_far_rm" not in text
    with tenant_scope(scored.tenant):
        event = AuditEvent.objects.get(action="performance.exported")
        assert event.data["rows"] == 2 and event.actor_id == scored.branch_head.pk


def test_rm_export_is_their_own_row(scored, web_for):
    text = web_for(scored.rm).get("/performance/export/?view=branch").content.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 2


def test_settings_page_is_for_admins(bank, web_for):
    assert web_for(bank.admin).get("/performance/settings/").status_code == 200
    for role in ("branch_head", "rm", "risk_officer", "compliance"):
        assert web_for(getattr(bank, role)).get("/performance/settings/").status_code == 403


def test_settings_refuses_a_deposit_kpi_with_the_reason(bank, web_for):
    from django.utils import translation

    web = web_for(bank.admin)
    with translation.override("en"):
        response = web.post(
            "/performance/settings/",
            {
                "action": "definition",
                "measure": "deposit_balance",
                "basis": "point_in_time",
                "dimension": "loyalty",
                "floor": "0",
                "target": "100",
                "weight": "1",
                "active": "on",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "存款偏离度" in html or "deposit deviation" in html
    with tenant_scope(bank.tenant):
        from performance.models import KpiDefinition

        assert not KpiDefinition.objects.filter(measure="deposit_balance").exists()


def test_settings_saves_weights(bank, web_for):
    web = web_for(bank.admin)
    response = web.post(
        "/performance/settings/",
        {"action": "weights", "satisfaction": "40", "loyalty": "20", "profit": "20", "risk": "20"},
    )
    assert response.status_code == 302
    with tenant_scope(bank.tenant):
        from performance.config import kpi_settings

        assert kpi_settings().weights()["satisfaction"] == 40
    bad = web.post(
        "/performance/settings/",
        {"action": "weights", "satisfaction": "50", "loyalty": "20", "profit": "20", "risk": "20"},
    )
    assert bad.status_code == 200  # shown again with the error


def test_settings_closes_and_corrects_a_month(bank, web_for):
    from performance.models import KpiPeriodClose, KpiSnapshot

    with tenant_scope(bank.tenant):
        previous = periods.shift(periods.current_period(), -1)
    run(bank, previous)
    web = web_for(bank.admin)
    assert (
        web.post("/performance/settings/", {"action": "close", "period": previous}).status_code
        == 302
    )
    assert (
        web.post(
            "/performance/settings/",
            {"action": "correct", "period": previous, "reason": "late data"},
        ).status_code
        == 302
    )
    with tenant_scope(bank.tenant):
        assert KpiPeriodClose.objects.filter(period=previous).exists()
        assert KpiSnapshot.objects.filter(period=previous, version=2, is_current=True).count() == 7


def test_followup_drill_lists_only_clients_the_viewer_sees(bank, web_for):
    """A follow-up assigned to the RM on a colleague's client counts for the
    RM, but the RM's drill-down does not open a client it cannot see."""
    theirs = make_client(bank, manager=bank.other_rm, name="Colleague's Client")
    make_followup(
        theirs, bank.rm, note="call back", due_at=timezone.now() - timezone.timedelta(days=1)
    )
    run(bank)
    period = _current(bank)
    mine = _drill(web_for(bank.rm), "followups_overdue", "rm", bank.rm.pk, period)
    assert mine.status_code == 200 and list(mine.context["page"].object_list) == []
    head = _drill(web_for(bank.branch_head), "followups_overdue", "rm", bank.rm.pk, period)
    assert [f.client.name for f in head.context["page"].object_list] == ["Colleague's Client"]


def test_settings_saves_revenue_rates_and_slas(bank, web_for):
    from performance.config import kpi_settings
    from tenancy.models import AuditEvent

    body = {
        "action": "rates",
        **{
            f"rate_{c}": "1.00"
            for c in (
                "deposit",
                "loan",
                "wealth",
                "fund",
                "insurance",
                "bond",
                "trust",
                "precious_metal",
            )
        },
        "sla_high": "1",
        "sla_medium": "3",
        "sla_low": "7",
    }
    web = web_for(bank.admin)
    assert web.post("/performance/settings/", {**body, "rate_fund": "2.5"}).status_code == 302
    with tenant_scope(bank.tenant):
        s = kpi_settings()
        assert str(s.rates()["fund"]) == "2.50" and s.sla_days()["high"] == 1
        assert AuditEvent.objects.filter(action="performance.rates_updated").exists()
    assert web.post("/performance/settings/", {**body, "rate_fund": "300"}).status_code == 200
    with tenant_scope(bank.tenant):
        assert str(kpi_settings().rates()["fund"]) == "2.50"


def test_not_contacted_lists_the_key_clients_overdue_for_a_revisit(bank, web_for):
    from clients.models import Client

    stale, fresh = make_client(bank, tier="gold", name="Stale"), make_client(bank, tier="gold")
    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=fresh.pk).update(last_contacted_at=timezone.now())
    run(bank)
    response = _drill(web_for(bank.rm), "not_contacted", "rm", bank.rm.pk, _current(bank))
    assert [c.name for c in response.context["page"].object_list] == ["Stale"]
    assert stale.pk


def test_dashboard_renders_the_echarts_data_islands(scored, web_for):
    import json
    import re

    response = web_for(scored.branch_head).get("/performance/")
    html = response.content.decode()
    islands = dict(
        re.findall(
            r'<script id="(kpi-echarts-[a-z]+)" type="application/json">(.*?)</script>', html
        )
    )
    ranking, trend = (
        json.loads(islands["kpi-echarts-ranking"]),
        json.loads(islands["kpi-echarts-trend"]),
    )
    rows = response.context["rows"]
    assert ranking["labels"] == [r.subject_name for r in rows]
    assert ranking["values"] == [float(r.total) for r in rows]
    assert len(trend["months"]) == 12 and [s["name"] for s in trend["series"]] == ranking["labels"]
    # the server-drawn SVG stays for a browser without scripts, the table beside it
    assert "data-echart-fallback" in html and 'data-testid="kpi-chart-data"' in html
    assert "vendor/echarts-6.1.0/echarts.min.js" in html and "<script>" not in html
