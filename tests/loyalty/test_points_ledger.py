"""The points ledger: balance = sum of entries (also checked by PostgreSQL),
append-only entries, four-eyes above the threshold, idempotent earning."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from loyalty.models import AppendOnlyError, PointsAccount, PointsAdjustmentRequest, PointsEntry
from loyalty.points import services
from tenancy.models import AuditEvent, Role
from tests.conftest import postgres_only
from tests.factories import UserFactory

from .points_helpers import assert_ledger_consistent, balance, earn, ledger_sum, make_client


@pytest.fixture
def second_admin(bank):
    return UserFactory(
        username="a_admin2", tenant=bank.tenant, role=Role.ADMIN, branch=bank.head_office
    )


def test_balance_equals_the_sum_of_entries_after_every_kind_of_write(bank, second_admin):
    c = make_client(bank)
    earn(bank, c, 800, key="a")
    earn(bank, c, 300, key="b")
    with bank.scope():
        services.points_adjust(user=bank.admin, client=c, points=-150, reason="correction")
        services.points_adjust(user=bank.admin, client=c, points=40, reason="goodwill")
    assert balance(bank, c) == ledger_sum(bank, c) == 990
    assert_ledger_consistent(bank)


def test_a_deduction_below_zero_is_refused_on_points(bank):
    c = make_client(bank)
    earn(bank, c, 100)
    with bank.scope(), pytest.raises(ValidationError) as err:
        services.points_adjust(user=bank.admin, client=c, points=-101, reason="x")
    assert "points" in err.value.message_dict
    assert balance(bank, c) == 100


def test_only_admins_adjust_and_a_reason_is_required(bank, client_of):
    with bank.scope():
        with pytest.raises(PermissionDenied):
            services.points_adjust(user=bank.rm, client=client_of, points=10, reason="x")
        with pytest.raises(ValidationError) as err:
            services.points_adjust(user=bank.admin, client=client_of, points=10, reason="  ")
    assert "reason" in err.value.message_dict


def test_entries_are_append_only_in_the_orm(bank):
    c = make_client(bank)
    entry = earn(bank, c, 100)
    with bank.scope():
        entry.points = 1_000_000
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            PointsEntry.objects.filter(pk=entry.pk).update(points=5)
        with pytest.raises(AppendOnlyError):
            PointsEntry.objects.filter(pk=entry.pk).delete()


@postgres_only()
def test_the_database_refuses_an_update_or_delete_of_an_entry(bank):
    c = make_client(bank)
    entry = earn(bank, c, 100)
    with bank.scope():
        for sql in (
            "UPDATE loyalty_pointsentry SET points = 5 WHERE id = %s",
            "DELETE FROM loyalty_pointsentry WHERE id = %s",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, [entry.pk])
    assert ledger_sum(bank, c) == 100


@postgres_only()
def test_the_database_refuses_an_entry_that_does_not_match_the_balance(bank):
    c = make_client(bank)
    earn(bank, c, 100)
    with bank.scope():
        PointsAccount.objects.filter(client=c).update(balance=5_000)  # forged balance
        with pytest.raises(IntegrityError), transaction.atomic():
            services.points_earn(client=c, points=10, reason="x", source_key="forged")


def test_an_entry_saved_through_the_orm_moves_the_balance_with_it(bank):
    c = make_client(bank)
    with bank.scope():
        PointsEntry(client=c, kind="earn", points=10, reason="orm", created_at=c.created_at).save()
    assert balance(bank, c) == ledger_sum(bank, c) == 10


@postgres_only()
def test_the_database_refuses_an_entry_written_without_its_balance(bank):
    c = make_client(bank)
    earn(bank, c, 100)
    with bank.scope(), pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO loyalty_pointsentry (tenant_id, client_id, kind, points, reason,"
                " created_at) VALUES (%s, %s, 'earn', 10, 'bypass', now())",
                [bank.tenant.pk, c.pk],
            )


def test_earning_is_idempotent_on_its_source_key(bank):
    c = make_client(bank)
    first = earn(bank, c, 200, key="event:1:client:1")
    again = earn(bank, c, 200, key="event:1:client:1")
    assert again.pk == first.pk
    assert balance(bank, c) == 200
    with bank.scope():
        assert PointsEntry.objects.filter(client=c).count() == 1


def test_event_attendance_earns_the_tenant_default(bank):
    c = make_client(bank)
    with bank.scope():
        entry = services.points_earn(client=c, reason="salon", source_key="event:9:" + str(c.pk))
    assert entry.points == 200 and entry.expires_at is not None


# --- four-eyes ----------------------------------------------------------------------------


def test_an_adjustment_above_the_threshold_waits_for_a_second_admin(bank, second_admin):
    c = make_client(bank)
    with bank.scope():
        pending = services.points_adjust(user=bank.admin, client=c, points=10_001, reason="vip")
    assert isinstance(pending, PointsAdjustmentRequest) and pending.status == "pending"
    assert balance(bank, c) == 0
    with bank.scope():
        with pytest.raises(PermissionDenied):
            services.adjustment_approve(user=bank.admin, adjustment=pending)  # the requester
        done = services.adjustment_approve(user=second_admin, adjustment=pending)
        assert done.status == "approved" and done.entry.points == 10_001
        assert AuditEvent.objects.filter(action="loyalty.points_adjustment_approved").exists()
        with pytest.raises(services.StateConflict):
            services.adjustment_approve(user=second_admin, adjustment=pending)
    assert balance(bank, c) == 10_001
    assert_ledger_consistent(bank)


def test_the_threshold_itself_needs_no_second_admin(bank):
    c = make_client(bank)
    with bank.scope():
        entry = services.points_adjust(user=bank.admin, client=c, points=10_000, reason="ok")
    assert isinstance(entry, PointsEntry) and balance(bank, c) == 10_000


def test_a_rejected_adjustment_writes_nothing(bank, second_admin):
    c = make_client(bank)
    with bank.scope():
        pending = services.points_adjust(user=bank.admin, client=c, points=50_000, reason="x")
        services.adjustment_reject(user=second_admin, adjustment=pending, note="no")
    assert balance(bank, c) == 0 and ledger_sum(bank, c) == 0


def test_a_large_deduction_is_checked_again_when_approved(bank, second_admin):
    c = make_client(bank)
    earn(bank, c, 30_000)
    with bank.scope():
        pending = services.points_adjust(user=bank.admin, client=c, points=-25_000, reason="x")
        services.points_adjust(user=bank.admin, client=c, points=-9_000, reason="y")
        with pytest.raises(ValidationError) as err:
            services.adjustment_approve(user=second_admin, adjustment=pending)
    assert "points" in err.value.message_dict
    assert balance(bank, c) == 21_000
