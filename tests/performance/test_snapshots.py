"""Snapshots on known data: every measure hand-computed, idempotent runs,
frozen closed periods and audited corrections."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from clients.models import Client, Transaction
from communications.models import FollowUp
from performance import services
from performance.models import DailyAum, KpiSettings, KpiSnapshot
from tenancy.context import tenant_scope
from tenancy.models import AuditEvent
from tests.clients.portfolio_helpers import make_holding

from .helpers import answered, at, make_client, row, run

pytestmark = pytest.mark.django_db

JUNE = "2026-06"
IN_JUNE = at(2026, 6, 10)
AFTER_JUNE = at(2026, 7, 15)  # June is then a past, still open period


def test_nps_10_9_2_is_plus_33_3_for_that_rm(bank):
    client = make_client(bank)
    for score in (10, 9, 2):
        answered(bank, client, score, at=IN_JUNE)
    run(bank, JUNE, now=AFTER_JUNE)
    measures = row(bank, JUNE, "rm", bank.rm.pk).measures
    assert measures["nps"] == 33.3
    assert measures["responses"] == 3
    # the branch, its parents and the tenant see the same answers
    assert row(bank, JUNE, "branch", bank.branch.pk).measures["nps"] == 33.3
    assert row(bank, JUNE, "branch", bank.region.pk).measures["nps"] == 33.3
    assert row(bank, JUNE, "tenant", bank.tenant.pk).measures["nps"] == 33.3
    # the sibling branch and the other RM answered nothing
    assert row(bank, JUNE, "branch", bank.sibling_branch.pk).measures["nps"] is None
    assert row(bank, JUNE, "rm", bank.other_rm.pk).measures["nps"] is None


def test_answers_outside_the_period_do_not_count(bank):
    client = make_client(bank)
    answered(bank, client, 10, at=at(2026, 5, 31, 23))
    answered(bank, client, 0, at=at(2026, 7, 1, 0))
    run(bank, JUNE, now=AFTER_JUNE)
    assert row(bank, JUNE, "rm", bank.rm.pk).measures["responses"] == 0


def test_retention_of_key_clients_active_at_the_start(bank):
    kept = make_client(bank)
    lost = make_client(bank)
    run(bank, JUNE, now=at(2026, 6, 1, 1))  # the first run records the base
    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=lost.pk).update(lifecycle="closed")
        # a client won during the month is not in the base
    make_client(bank)
    run(bank, JUNE, now=AFTER_JUNE)
    m = row(bank, JUNE, "rm", bank.rm.pk).measures
    assert (m["key_clients_at_start"], m["key_clients_lost"], m["retention_rate"]) == (2, 1, 50.0)
    assert kept.pk


def test_aum_growth_from_daily_averages(bank):
    with tenant_scope(bank.tenant):
        rows = []
        for d in range(1, 31):  # May: 100 on every day recorded
            rows.append(
                DailyAum(
                    tenant_id=bank.tenant.pk,
                    day=date(2026, 5, d),
                    scope="rm",
                    subject_id=bank.rm.pk,
                    aum=Decimal(100),
                    deposits=Decimal(0),
                )
            )
        for d, aum in ((1, 100), (2, 120), (3, 110)):  # June so far: average 110
            rows.append(
                DailyAum(
                    tenant_id=bank.tenant.pk,
                    day=date(2026, 6, d),
                    scope="rm",
                    subject_id=bank.rm.pk,
                    aum=Decimal(aum),
                    deposits=Decimal(0),
                )
            )
        DailyAum.objects.bulk_create(rows)
    run(bank, JUNE, now=AFTER_JUNE)
    m = row(bank, JUNE, "rm", bank.rm.pk).measures
    assert m["aum_daily_average"] == "110.00"
    assert m["aum_growth_pct"] == 10.0


def test_nightly_run_records_the_day_aum_once(bank):
    client = make_client(bank)
    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=client.pk).update(aum=Decimal("5000000"))
    now = at(2026, 6, 3)
    run(bank, JUNE, now=now)
    run(bank, JUNE, now=now)
    with tenant_scope(bank.tenant):
        days = DailyAum.objects.filter(scope="rm", subject_id=bank.rm.pk)
        assert list(days.values_list("day", "aum")) == [(date(2026, 6, 3), Decimal("5000000.00"))]
        assert DailyAum.objects.get(scope="tenant").aum == Decimal("5000000.00")


def test_revenue_from_holdings_at_the_category_rate_and_fees(bank):
    client = make_client(bank)
    make_holding(client, balance="1200000", kind="deposit")  # 1.2% a year
    make_holding(client, balance="365000", kind="fund")  # 1.0% a year
    with tenant_scope(bank.tenant):
        for amount, direction, when in (
            ("100", "out", at(2026, 6, 5)),
            ("50", "in", at(2026, 6, 5)),  # paid to the client: not revenue
            ("999", "out", at(2026, 7, 2)),  # next period
        ):
            Transaction.objects.create(
                client=client,
                occurred_at=when,
                amount=Decimal(amount),
                direction=direction,
                category="fee",
                external_ref=f"F{amount}",
            )
    run(bank, JUNE, now=AFTER_JUNE)
    # 30 days: 1,200,000 x 1.2% x 30/365 = 1183.56; 365,000 x 1% x 30/365 = 300; fee 100
    m = row(bank, JUNE, "rm", bank.rm.pk).measures
    assert m["revenue"] == "1583.56"
    assert m["revenue_per_client"] == "1583.56"


def test_tenant_revenue_rate_changes_revenue(bank):
    client = make_client(bank)
    make_holding(client, balance="3650000", kind="deposit")
    with tenant_scope(bank.tenant):
        KpiSettings.objects.create(revenue_rates={"deposit": "2.00"})
    run(bank, JUNE, now=AFTER_JUNE)
    assert row(bank, JUNE, "rm", bank.rm.pk).measures["revenue"] == "6000.00"


def test_followups_overdue_at_the_period_end(bank):
    client = make_client(bank)
    with tenant_scope(bank.tenant):

        def fu(due, status="open", completed=None):
            f = FollowUp.objects.create(
                client=client, assignee=bank.rm, created_by=bank.rm, due_at=due, status=status
            )
            if completed:
                FollowUp.objects.filter(pk=f.pk).update(completed_at=completed)

        fu(at(2026, 6, 20))  # still open: overdue
        fu(at(2026, 6, 20), "done", at(2026, 7, 3))  # done after the month: overdue at its end
        fu(at(2026, 6, 20), "done", at(2026, 6, 25))  # done in time
        fu(at(2026, 7, 5))  # due after the month
    run(bank, JUNE, now=AFTER_JUNE)
    assert row(bank, JUNE, "rm", bank.rm.pk).measures["followups_overdue"] == 2
    assert row(bank, JUNE, "branch", bank.branch.pk).measures["followups_overdue"] == 2


def test_running_twice_gives_the_same_rows(bank):
    client = make_client(bank)
    answered(bank, client, 10, at=IN_JUNE)
    run(bank, JUNE, now=AFTER_JUNE)
    with tenant_scope(bank.tenant):
        first = list(
            KpiSnapshot.objects.order_by("scope", "subject_id").values(
                "pk", "scope", "subject_id", "version", "total", "measures"
            )
        )
    run(bank, JUNE, now=AFTER_JUNE)
    with tenant_scope(bank.tenant):
        second = list(
            KpiSnapshot.objects.order_by("scope", "subject_id").values(
                "pk", "scope", "subject_id", "version", "total", "measures"
            )
        )
    assert first == second
    # 2 RMs, 4 branches, the tenant
    assert len(second) == 7


def test_command_twice_gives_the_same_rows(bank, capsys):
    make_client(bank)
    call_command("kpi_snapshot", "--tenant", bank.tenant.slug)
    call_command("kpi_snapshot", "--tenant", bank.tenant.slug)
    with tenant_scope(bank.tenant):
        assert KpiSnapshot.objects.count() == 7
        assert set(KpiSnapshot.objects.values_list("version", flat=True)) == {1}
    assert "7 snapshots" in capsys.readouterr().out


def test_closed_period_does_not_change_when_data_changes(bank):
    client = make_client(bank)
    answered(bank, client, 10, at=IN_JUNE)
    run(bank, JUNE, now=AFTER_JUNE)
    with tenant_scope(bank.tenant):
        services.period_close(user=bank.admin, period=JUNE)
    answered(bank, client, 0, at=IN_JUNE)  # a late answer dated in June
    result = run(bank, JUNE, now=AFTER_JUNE)
    assert result.frozen
    assert row(bank, JUNE, "rm", bank.rm.pk).measures["nps"] == 100.0


def test_correction_of_a_closed_period_is_an_audited_new_version(bank):
    client = make_client(bank)
    answered(bank, client, 10, at=IN_JUNE)
    run(bank, JUNE, now=AFTER_JUNE)
    with tenant_scope(bank.tenant):
        services.period_close(user=bank.admin, period=JUNE)
    answered(bank, client, 0, at=IN_JUNE)
    with tenant_scope(bank.tenant):
        version = services.snapshot_correct(user=bank.admin, period=JUNE, reason="late answers")
        assert version == 2
        old = KpiSnapshot.objects.get(period=JUNE, scope="rm", subject_id=bank.rm.pk, version=1)
        assert not old.is_current and old.measures["nps"] == 100.0
        event = AuditEvent.objects.get(action="performance.period_corrected")
        assert event.data["version"] == 2 and event.data["reason"] == "late answers"
    new = row(bank, JUNE, "rm", bank.rm.pk)
    assert (new.version, new.measures["nps"], new.corrected_by_id) == (2, 0.0, bank.admin.pk)


def test_only_admins_close_and_correct(bank):
    run(bank, JUNE, now=AFTER_JUNE)
    from django.core.exceptions import PermissionDenied

    with tenant_scope(bank.tenant), pytest.raises(PermissionDenied):
        services.period_close(user=bank.branch_head, period=JUNE)
    with tenant_scope(bank.tenant), pytest.raises(PermissionDenied):
        services.snapshot_correct(user=bank.rm, period=JUNE, reason="x")


def test_an_open_period_cannot_be_corrected(bank):
    from django.core.exceptions import ValidationError

    run(bank, JUNE, now=AFTER_JUNE)
    with tenant_scope(bank.tenant), pytest.raises(ValidationError) as exc:
        services.snapshot_correct(user=bank.admin, period=JUNE, reason="x")
    assert "period" in exc.value.message_dict


def test_weights_change_the_total(bank):
    client = make_client(bank)
    answered(bank, client, 10, at=IN_JUNE)
    run(bank, JUNE, now=AFTER_JUNE)
    before = row(bank, JUNE, "rm", bank.rm.pk)
    with tenant_scope(bank.tenant):
        services.kpi_weights_update(
            user=bank.admin, weights={"satisfaction": 100, "loyalty": 0, "profit": 0, "risk": 0}
        )
    run(bank, JUNE, now=AFTER_JUNE)
    after = row(bank, JUNE, "rm", bank.rm.pk)
    assert after.total == after.satisfaction
    assert after.satisfaction == before.satisfaction
    # by hand: the total is the weighted mean of the dimensions that have a score
    dims = {d: getattr(before, d) for d in ("satisfaction", "loyalty", "profit", "risk")}
    scored = {d: s for d, s in dims.items() if s is not None}
    expected = (sum(scored.values()) / len(scored)).quantize(Decimal("0.1"))
    assert before.total == expected


def test_ranks_within_scope(bank):
    mine, theirs = make_client(bank), make_client(bank, manager=bank.other_rm)
    answered(bank, mine, 10, at=IN_JUNE)
    answered(bank, theirs, 0, at=IN_JUNE)
    run(bank, JUNE, now=AFTER_JUNE)
    assert row(bank, JUNE, "rm", bank.rm.pk).rank == 1
    assert row(bank, JUNE, "rm", bank.other_rm.pk).rank == 2
    assert row(bank, JUNE, "tenant", bank.tenant.pk).rank == 1


def test_other_tenant_data_never_counts(bank, other_bank):
    theirs = make_client(other_bank)
    answered(other_bank, theirs, 0, at=IN_JUNE)
    run(bank, JUNE, now=AFTER_JUNE)
    assert row(bank, JUNE, "tenant", bank.tenant.pk).measures["responses"] == 0


def test_subject_gone_leaves_the_open_period(bank):
    run(bank, JUNE, now=AFTER_JUNE)
    bank.other_rm.is_active = False
    bank.other_rm.save(update_fields=["is_active"])
    run(bank, JUNE, now=AFTER_JUNE)
    with tenant_scope(bank.tenant):
        assert not KpiSnapshot.objects.filter(scope="rm", subject_id=bank.other_rm.pk).exists()


def test_snapshot_dates_use_the_tenant_zone():
    from performance import periods

    assert periods.shift("2026-01", -1) == "2025-12"
    assert periods.last_day("2024-02") == date(2024, 2, 29)
    assert periods.last_periods("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    assert timedelta(0) == timedelta(0)


def test_a_month_not_started_is_refused(bank):
    from django.core.exceptions import ValidationError
    from django.core.management.base import CommandError

    with pytest.raises(ValidationError):
        run(bank, "2026-08", now=AFTER_JUNE)
    with pytest.raises(CommandError):
        call_command("kpi_snapshot", "--tenant", bank.tenant.slug, "--period", "2999-01")
    with pytest.raises(CommandError):
        call_command("kpi_snapshot", "--period", "2026-13")


def test_a_run_is_set_based_its_query_count_does_not_grow_with_the_clients(bank):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    def grow(n, start):
        for i in range(n):
            rm = UserFactory(
                username=f"a_setrm_{start + i}", tenant=bank.tenant, role="rm", branch=bank.branch
            )
            c = make_client(bank, manager=rm)
            answered(bank, c, i % 11, at=IN_JUNE)
            make_holding(c, balance="1000", kind="fund")

    def count():
        run(bank, JUNE, now=AFTER_JUNE)  # the first run of the month records the base
        with CaptureQueriesContext(connection) as ctx:
            run(bank, JUNE, now=AFTER_JUNE)
        return len(ctx.captured_queries)

    grow(2, 0)
    small = count()
    grow(20, 2)
    assert count() == small


def test_the_nightly_task_fans_out_per_tenant(bank, other_bank):
    from performance.tasks import kpi_snapshot_sweep

    make_client(bank)
    make_client(other_bank)
    assert kpi_snapshot_sweep.delay().get() == 2  # eager in tests: one task per tenant
    for b in (bank, other_bank):
        with tenant_scope(b.tenant):
            rows = KpiSnapshot.objects.all()
            assert rows.count() == 7
            assert set(rows.values_list("tenant_id", flat=True)) == {b.tenant.pk}
