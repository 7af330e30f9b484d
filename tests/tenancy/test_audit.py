import threading

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tenancy.audit import GENESIS, audit_record
from tenancy.context import tenant_scope
from tenancy.models import AuditEvent, Role
from tenancy.services import staff_create

from ..conftest import postgres_only
from ..factories import PASSWORD


def _admin_connection():
    import os

    from django.conf import settings

    url = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    dsn = psycopg2.extensions.parse_dsn(url)
    dsn["dbname"] = settings.DATABASES["default"]["NAME"]
    return psycopg2.connect(**dsn)


def test_staff_changes_are_written_to_the_chain(bank):
    with bank.scope():
        staff_create(
            actor=bank.admin, username="newrm", password=PASSWORD, role=Role.RM, branch=bank.branch
        )
        event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "staff.created"
    assert event.actor == bank.admin
    assert event.data["role"] == "rm"


def test_events_chain_to_the_previous_hash(bank):
    with bank.scope():
        first = audit_record(action="one", actor=bank.admin)
        second = audit_record(action="two", actor=bank.admin)
    assert first.prev_hash == GENESIS and first.seq == 1
    assert second.prev_hash == first.hash and second.seq == 2


def test_each_tenant_has_its_own_chain(bank, other_bank):
    with bank.scope():
        audit_record(action="a", actor=bank.admin)
    with other_bank.scope():
        event = audit_record(action="b", actor=other_bank.admin)
    assert event.seq == 1


def test_verify_audit_passes_on_a_clean_chain(bank, capsys):
    with bank.scope():
        for i in range(3):
            audit_record(action=f"e{i}", actor=bank.admin, data={"i": i})
    call_command("verify_audit")
    assert "a-bank: ok (3 events)" in capsys.readouterr().out


@postgres_only()
def test_update_and_delete_on_the_audit_table_fail_for_the_app_role(bank):
    with bank.scope():
        audit_record(action="x", actor=bank.admin)
        for sql in (
            "UPDATE tenancy_auditevent SET action = 'forged'",
            "DELETE FROM tenancy_auditevent",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql)
        assert AuditEvent.objects.get().action == "x"


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_verify_audit_names_the_event_after_tampering(bank, capsys):
    with bank.scope():
        events = [
            audit_record(action=f"e{i}", actor=bank.admin, data={"amount": i}) for i in range(4)
        ]
    target = events[2]
    conn = _admin_connection()  # the owner/superuser, as an attacker with DB access would be
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")  # skip the append-only trigger
            cur.execute(
                "UPDATE tenancy_auditevent SET data = '{\"amount\": 999}' WHERE id = %s",
                [target.pk],
            )
    finally:
        conn.close()
    with pytest.raises(CommandError):
        call_command("verify_audit", tenant="a-bank")
    err = capsys.readouterr().err
    assert f"id={target.pk} seq={target.seq}" in err
    assert "content does not match" in err


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(bank):
    errors = []

    def writer(n):
        try:
            for i in range(10):
                with tenant_scope(bank.tenant):
                    audit_record(action=f"w{n}.{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with bank.scope():
        seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 31))
    call_command("verify_audit", tenant="a-bank")
