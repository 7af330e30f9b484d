"""The early-warning scan: every signal on known data, at most one open alert
per client and kind (twice, concurrently), guarantee circles, conditions that
clear, downgrades raised once, the digest notices, the command."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from clients.models import GroupMembership, RelationshipGroup, Transaction
from communications.models import Notification
from risk import scan, services, tasks
from risk.models import ClientRating, Collateral, RiskAlert
from tenancy.context import tenant_scope
from tests.conftest import postgres_only

from .helpers import (
    make_assessment,
    make_client,
    make_collateral,
    make_limit,
    make_loan,
    set_capital,
)

TODAY = timezone.localdate()


def run(bank):
    with tenant_scope(bank.tenant):
        return scan.scan_tenant()


def alerts(bank, **filters):
    with tenant_scope(bank.tenant):
        return sorted(
            RiskAlert.objects.filter(**filters).values_list(
                "client_id", "kind", "severity", "status"
            )
        )


def guarantee(bank, guarantor, borrower):
    with tenant_scope(bank.tenant):
        return Collateral.objects.create(
            client=borrower,
            kind="guarantee",
            market_value=Decimal("100000"),
            haircut_pct=Decimal("50"),
            valued_at=TODAY,
            guarantor=guarantor.name,
            guarantor_client=guarantor,
        )


def test_a_clean_client_raises_nothing(bank):
    c = make_client(bank, exposure="100000")
    make_limit(bank, c, amount="200000")
    assert run(bank).opened_total == 0
    assert alerts(bank) == []


def test_limit_breach_with_severity_by_how_far(bank):
    over = make_client(bank, exposure="110000")
    make_limit(bank, over, amount="100000")
    far = make_client(bank, exposure="130000")
    make_limit(bank, far, amount="100000")
    expired = make_client(bank, exposure="130000")
    make_limit(bank, expired, amount="100000", days=-1)
    run(bank)
    assert alerts(bank) == [
        (over.pk, "limit_breach", "medium", "open"),
        (far.pk, "limit_breach", "high", "open"),
    ]
    with tenant_scope(bank.tenant):
        detail = RiskAlert.objects.get(client=far).detail
    assert Decimal(str(detail["exposure"])) == Decimal("130000")
    assert Decimal(str(detail["limit"])) == Decimal("100000")


def test_capital_caps_single_client_loans_and_group(bank):
    set_capital(bank, tier1="1000000", net="2000000")
    single = make_client(bank, exposure="160000")  # > 15 % of tier-1
    loans = make_client(bank, exposure="140000")  # < 15 % of tier-1, <= 10 % of net capital
    a = make_client(bank, exposure="120000")
    b = make_client(bank, exposure="100000")  # together 220,000 > 20 % of tier-1
    with tenant_scope(bank.tenant):
        group = RelationshipGroup.objects.create(name="G", kind="corporate_group")
        for c in (a, b):
            GroupMembership.objects.create(group=group, client=c, role="affiliate")
    run(bank)
    capped = {row[0] for row in alerts(bank, kind="cap_breach")}
    assert capped == {single.pk, a.pk, b.pk}
    set_capital(bank, tier1="1000000", net="1300000")  # 10 % of net = 130,000 < 140,000
    run(bank)
    assert loans.pk in {row[0] for row in alerts(bank, kind="cap_breach")}


def test_no_caps_without_capital(bank):
    make_client(bank, exposure="1000000000")
    run(bank)
    assert alerts(bank, kind="cap_breach") == []


def test_overdue_review_kyc_and_revaluation(bank):
    c = make_client(bank, exposure="100000", kyc_risk_level="high")
    with tenant_scope(bank.tenant):
        c.kyc_reviewed_on = TODAY - timedelta(days=400)
        c.save(update_fields=["kyc_reviewed_on"])
    make_assessment(bank, c, status="approved")
    with tenant_scope(bank.tenant):
        ClientRating.objects.filter(client=c).update(next_review_at=TODAY - timedelta(days=100))
    coll = make_collateral(bank, c, market_value="500000", haircut_pct="0")
    with tenant_scope(bank.tenant):
        Collateral.objects.filter(pk=coll.pk).update(valued_at=TODAY - timedelta(days=400))
    run(bank)
    kinds = {(k, s) for _c, k, s, _st in alerts(bank, client=c)}
    assert ("review_overdue", "high") in kinds
    assert ("kyc_overdue", "high") in kinds
    assert ("revaluation_overdue", "medium") in kinds


def test_low_coverage_only_for_secured_clients(bank):
    secured = make_client(bank, exposure="1000000")
    make_collateral(bank, secured, market_value="1000000", haircut_pct="30")  # 700,000: 0.7
    thin = make_client(bank, exposure="1000000")
    make_collateral(bank, thin, market_value="400000", haircut_pct="0")  # 0.4 < half of 1.00
    make_client(bank, exposure="1000000")  # unsecured: no alert
    covered = make_client(bank, exposure="100000")
    make_collateral(bank, covered, market_value="1000000", haircut_pct="30")
    run(bank)
    assert alerts(bank, kind="low_coverage") == [
        (secured.pk, "low_coverage", "low", "open"),
        (thin.pk, "low_coverage", "medium", "open"),
    ]


def test_past_due_severity_by_days(bank):
    a, b, c = (make_client(bank, exposure="100000") for _ in range(3))
    make_loan(bank, a, days_past_due=10)
    make_loan(bank, b, days_past_due=45)
    make_loan(bank, c, days_past_due=120)
    make_loan(bank, c, days_past_due=0)
    run(bank)
    assert alerts(bank, kind="past_due") == [
        (a.pk, "past_due", "low", "open"),
        (b.pk, "past_due", "medium", "open"),
        (c.pk, "past_due", "high", "open"),
    ]


def _outflow(bank, client, amount, days_ago=5, currency="CNY"):
    with tenant_scope(bank.tenant):
        Transaction.objects.create(
            client=client,
            occurred_at=timezone.now() - timedelta(days=days_ago),
            amount=Decimal(amount),
            currency=currency,
            direction="out",
            category="transfer",
            external_ref=f"T{client.pk}-{amount}-{days_ago}",
        )


def test_large_outflows_against_aum(bank):
    big = make_client(bank, aum=Decimal("1000000"))
    _outflow(bank, big, "200000")
    _outflow(bank, big, "150000")  # 350,000 > 30 % of 1,000,000
    small = make_client(bank, aum=Decimal("1000000"))
    _outflow(bank, small, "100000")
    old = make_client(bank, aum=Decimal("1000000"))
    _outflow(bank, old, "900000", days_ago=45)  # outside the 30 days
    huge = make_client(bank, aum=Decimal("1000000"))
    _outflow(bank, huge, "700000")  # > twice the share
    run(bank)
    assert alerts(bank, kind="large_outflow") == [
        (big.pk, "large_outflow", "medium", "open"),
        (huge.pk, "large_outflow", "high", "open"),
    ]


def test_a_guarantee_circle_of_three_is_found_and_a_chain_is_not(bank):
    a, b, c = (make_client(bank, kind="corporate") for _ in range(3))
    guarantee(bank, a, b)
    guarantee(bank, b, c)
    chain = [make_client(bank, kind="corporate") for _ in range(3)]
    guarantee(bank, chain[0], chain[1])
    guarantee(bank, chain[1], chain[2])
    run(bank)
    assert alerts(bank, kind="guarantee_circle") == []
    guarantee(bank, c, a)  # closes the circle
    run(bank)
    assert {row[0] for row in alerts(bank, kind="guarantee_circle")} == {a.pk, b.pk, c.pk}
    with tenant_scope(bank.tenant):
        members = RiskAlert.objects.get(client=a, kind="guarantee_circle").detail["members"]
    assert sorted(members) == sorted([a.pk, b.pk, c.pk])


def test_mutual_guarantee_of_two_and_a_broken_circle_clears(bank):
    a, b = (make_client(bank, kind="corporate") for _ in range(2))
    g = guarantee(bank, a, b)
    guarantee(bank, b, a)
    run(bank)
    assert len(alerts(bank, kind="guarantee_circle", status="open")) == 2
    with tenant_scope(bank.tenant):
        Collateral.objects.filter(pk=g.pk).delete()
    result = run(bank)
    assert result.cleared["guarantee_circle"] == 2
    assert alerts(bank, kind="guarantee_circle", status="open") == []


def test_scanning_twice_opens_no_duplicate(bank):
    c = make_client(bank, exposure="130000")
    make_limit(bank, c, amount="100000")
    make_loan(bank, c, days_past_due=100)
    first = run(bank)
    second = run(bank)
    assert first.opened_total == 2
    assert second.opened_total == 0
    assert len(alerts(bank)) == 2


def test_an_acknowledged_alert_blocks_a_new_one_and_a_resolved_one_does_not(bank):
    c = make_client(bank, exposure="130000")
    make_limit(bank, c, amount="100000")
    run(bank)
    with tenant_scope(bank.tenant):
        alert = RiskAlert.objects.get(client=c)
        services.alert_update(user=bank.risk_officer, alert=alert, status="acknowledged", note="ok")
    assert run(bank).opened_total == 0
    with tenant_scope(bank.tenant):
        alert = RiskAlert.objects.get(client=c)
        services.alert_update(
            user=bank.risk_officer, alert=alert, status="resolved", note="limit raised tomorrow"
        )
    assert run(bank).opened_total == 1  # the breach still holds: a new alert
    assert len(alerts(bank, client=c)) == 2


def test_a_cleared_condition_resolves_the_alert_by_the_scan(bank):
    c = make_client(bank, exposure="130000")
    make_limit(bank, c, amount="100000")
    run(bank)
    make_limit(bank, c, amount="500000")  # a newer, larger limit
    result = run(bank)
    assert result.cleared["limit_breach"] == 1
    with tenant_scope(bank.tenant):
        alert = RiskAlert.objects.get(client=c)
    assert alert.status == "resolved" and alert.resolved_by_id is None and alert.resolved_at


def test_a_downgrade_is_raised_once_per_approved_rating(bank):
    c = make_client(bank, exposure="100000")
    make_assessment(bank, c, scores=(20, 20, 20), status="approved")  # A
    assert alerts(bank, kind="rating_downgrade") == []
    make_assessment(bank, c, scores=(52, 52, 52), status="approved")  # B: 3 grades down
    run(bank)
    assert alerts(bank, kind="rating_downgrade") == [(c.pk, "rating_downgrade", "high", "open")]
    with tenant_scope(bank.tenant):
        alert = RiskAlert.objects.get(client=c, kind="rating_downgrade")
        services.alert_update(user=bank.risk_officer, alert=alert, status="resolved", note="seen")
    run(bank)
    assert len(alerts(bank, kind="rating_downgrade")) == 1  # not raised again for this rating
    make_assessment(bank, c, scores=(45, 45, 45), status="approved")  # BB: an upgrade
    run(bank)
    assert alerts(bank, kind="rating_downgrade", status="open") == []
    make_assessment(bank, c, scores=(52, 52, 52), status="approved")  # B: one grade down
    run(bank)
    assert alerts(bank, kind="rating_downgrade", status="open") == [
        (c.pk, "rating_downgrade", "medium", "open")
    ]


def test_an_upgrade_raises_nothing(bank):
    c = make_client(bank, exposure="100000")
    make_assessment(bank, c, scores=(45, 45, 45), status="approved")
    make_assessment(bank, c, scores=(20, 20, 20), status="approved")
    run(bank)
    assert alerts(bank, kind="rating_downgrade") == []


def test_closed_clients_are_not_scanned(bank):
    c = make_client(bank, exposure="130000", lifecycle="closed")
    make_limit(bank, c, amount="100000")
    run(bank)
    assert alerts(bank) == []


def test_new_alerts_notify_the_manager_and_the_risk_officers_once(bank):
    mine = make_client(bank, exposure="130000")
    make_limit(bank, mine, amount="100000")
    make_loan(bank, mine, days_past_due=200)
    theirs = make_client(bank, manager=bank.other_rm, exposure="130000")
    make_limit(bank, theirs, amount="100000")
    result = run(bank)
    assert result.notified == 3
    with tenant_scope(bank.tenant):
        notes = {
            n.recipient_id: n.title
            for n in Notification.objects.filter(url__startswith="/risk/alerts/")
        }
    assert set(notes) == {bank.rm.pk, bank.other_rm.pk, bank.risk_officer.pk}
    assert "2" in notes[bank.rm.pk] and "3" in notes[bank.risk_officer.pk]
    assert run(bank).notified == 0  # nothing new, nobody told again


def test_the_scan_stays_in_its_tenant(bank, other_bank):
    c = make_client(bank, exposure="130000")
    make_limit(bank, c, amount="100000")
    o = make_client(other_bank, exposure="130000")
    make_limit(other_bank, o, amount="100000")
    run(bank)
    assert len(alerts(bank)) == 1
    assert alerts(other_bank) == []


def test_the_command_and_the_beat_task(bank, other_bank):
    c = make_client(bank, exposure="130000")
    make_limit(bank, c, amount="100000")
    out = StringIO()
    call_command("risk_scan", "--tenant", bank.tenant.slug, stdout=out)
    assert "opened 1" in out.getvalue() and "limit_breach 1" in out.getvalue()
    assert tasks.risk_scan_sweep() == 2  # one task per tenant (eager in tests)
    assert len(alerts(bank)) == 1


def test_the_scan_is_audited(bank):
    from tenancy.models import AuditEvent

    c = make_client(bank, exposure="130000")
    make_limit(bank, c, amount="100000")
    run(bank)
    with tenant_scope(bank.tenant):
        event = AuditEvent.objects.filter(action="risk.scan_completed").get()
    assert event.data["opened"] == {"limit_breach": 1}


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_open_each_alert_once(bank, monkeypatch):
    for _ in range(10):
        c = make_client(bank, exposure="130000")
        make_limit(bank, c, amount="100000")
    original = scan.notify
    barrier = threading.Barrier(2)

    def slow_notify(notices):
        import time

        time.sleep(0.2)  # hold the inserted rows uncommitted, so the scans overlap
        return original(notices)

    monkeypatch.setattr(scan, "notify", slow_notify)
    errors = []

    def one():
        try:
            barrier.wait()
            tasks.risk_scan_for_tenant(tenant_id=bank.tenant.pk)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(alerts(bank)) == 10
    with tenant_scope(bank.tenant):
        assert Notification.objects.filter(recipient=bank.risk_officer).count() == 1


def test_a_group_over_its_group_limit_raises_a_limit_breach_for_its_members(bank):
    from .helpers import make_group, make_group_limit

    a = make_client(bank, exposure="60000")
    b = make_client(bank, exposure="50000")
    outsider = make_client(bank, exposure="50000")
    group = make_group(bank, a, b)
    make_group_limit(bank, group, amount="100000")  # 110,000 > 100,000
    run(bank)
    assert alerts(bank, kind="limit_breach") == [
        (a.pk, "limit_breach", "high", "open"),
        (b.pk, "limit_breach", "high", "open"),
    ]
    assert outsider.pk not in {r[0] for r in alerts(bank)}
    make_group_limit(bank, group, amount="200000")  # a newer, larger group limit
    assert run(bank).cleared["limit_breach"] == 2
