import json
import threading

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

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
    assert "a-bank: ok (3 events, no checkpoint)" in capsys.readouterr().out


@postgres_only()
def test_update_and_delete_on_the_audit_table_fail_for_the_app_role(bank):
    with bank.scope():
        audit_record(action="x", actor=bank.admin)
        for sql in (
            "UPDATE tenancy_auditevent SET action = 'forged'",
            "DELETE FROM tenancy_auditevent",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only|permission denied"),
                transaction.atomic(),
            ):
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


# --- the keyed chain and its checkpoints (issue 8, finding 3) -----------------


def _superuser_sql(*statements):
    """Run SQL as the database superuser with triggers off: an attacker with full
    database rights, who does not hold AUDIT_HMAC_KEY."""
    conn = _admin_connection()
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            for sql, params in statements:
                cur.execute(sql, params)
    finally:
        conn.close()


def _verify(capsys, **opts):
    try:
        call_command("verify_audit", **opts)
        failed = False
    except CommandError:
        failed = True
    out = capsys.readouterr()
    return failed, out.out, out.err


def _events(bank, n):
    with bank.scope():
        return [
            audit_record(action=f"e{i}", actor=bank.admin, data={"amount": i}) for i in range(n)
        ]


def test_events_are_hmac_keyed_with_the_configured_key(bank, settings):
    import hashlib
    import hmac

    from tenancy.audit import KEYED, _canonical, event_hash

    (event,) = _events(bank, 1)
    assert event.chain_version == KEYED
    expected = hmac.new(
        settings.AUDIT_HMAC_KEY.encode(), _canonical(event).encode(), hashlib.sha256
    )
    assert event.hash == expected.hexdigest()
    assert event_hash(event, key="another key") != event.hash
    assert hashlib.sha256(_canonical(event).encode()).hexdigest() != event.hash


def test_verify_audit_checkpoint_appends_a_signed_line_per_tenant(
    bank, other_bank, settings, capsys
):
    import json
    from pathlib import Path

    events = _events(bank, 3)
    failed, out, _ = _verify(capsys, checkpoint=True)
    assert not failed
    lines = (Path(settings.AUDIT_CHECKPOINT_DIR) / "checkpoints.jsonl").read_text().splitlines()
    by_tenant = {c["tenant"]: c for c in map(json.loads, lines)}
    mine = by_tenant[bank.tenant.pk]
    assert (mine["count"], mine["last_seq"], mine["last_event_id"], mine["head"]) == (
        3,
        3,
        events[-1].pk,
        events[-1].hash,
    )
    assert len(mine["sig"]) == 64 and by_tenant[other_bank.tenant.pk]["count"] == 0
    failed, out, _ = _verify(capsys)
    assert not failed and "a-bank: ok (3 events, checkpoint of" in out


def test_the_beat_task_writes_the_checkpoints_and_is_scheduled(bank, other_bank, settings):
    from tenancy.audit import audit_checkpoints_read
    from tenancy.schedules import registered_schedules
    from tenancy.tasks import audit_checkpoint_sweep

    _events(bank, 2)
    assert audit_checkpoint_sweep.delay().get() == 2
    latest = audit_checkpoints_read().latest
    assert latest[bank.tenant.pk]["count"] == 2 and latest[other_bank.tenant.pk]["count"] == 0
    assert "tenancy.tasks.audit_checkpoint_sweep" in {s.task for s in registered_schedules()}


def test_an_edited_checkpoint_line_is_reported(bank, settings, capsys):
    from pathlib import Path

    _events(bank, 2)
    _verify(capsys, checkpoint=True)
    path = Path(settings.AUDIT_CHECKPOINT_DIR) / "checkpoints.jsonl"
    path.write_text(path.read_text().replace('"count": 2', '"count": 1'))
    failed, _, err = _verify(capsys)
    assert failed and "line 1: BROKEN signature" in err


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_tamper_edit_and_rehash_without_the_key_is_detected(bank, capsys):
    """The attacker edits an event and recomputes every following hash with the
    project's own function, but without the key (here: a guessed one)."""
    from tenancy.audit import event_hash

    events = _events(bank, 5)
    _verify(capsys, checkpoint=True)
    target = events[2]
    statements, prev = [], events[1].hash
    for event in events[2:]:
        event.prev_hash = prev
        if event.pk == target.pk:
            event.data = {"amount": 999}
        event.hash = event_hash(event, key="guessed-key")
        statements.append(
            (
                "UPDATE tenancy_auditevent SET data = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [json.dumps(event.data), event.prev_hash, event.hash, event.pk],
            )
        )
        prev = event.hash
    _superuser_sql(*statements)
    failed, _, err = _verify(capsys, tenant="a-bank")
    assert failed
    assert f"a-bank: BROKEN at audit event id={target.pk} seq={target.seq}" in err
    assert "content does not match its HMAC" in err


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_tamper_delete_tail_is_detected_against_the_checkpoint(bank, capsys):
    events = _events(bank, 5)
    _verify(capsys, checkpoint=True)
    _superuser_sql(
        ("DELETE FROM tenancy_auditevent WHERE id = ANY(%s)", [[e.pk for e in events[3:]]])
    )
    failed, _, err = _verify(capsys, tenant="a-bank")
    assert failed
    assert f"a-bank: BROKEN at audit event id={events[-1].pk} seq=5" in err
    assert "events deleted from its tail: 3 event(s)" in err


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_tamper_truncate_is_detected_against_the_checkpoint(bank, other_bank, capsys):
    events = _events(bank, 4)
    _events(other_bank, 1)
    _verify(capsys, checkpoint=True)
    _superuser_sql(("TRUNCATE tenancy_auditevent", None))
    failed, _, err = _verify(capsys)
    assert failed
    assert f"a-bank: BROKEN at audit event id={events[-1].pk} seq=4" in err
    assert "truncated (no events left)" in err
    assert "b-bank: BROKEN" in err


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_tamper_forged_unkeyed_event_at_the_tail_is_detected(bank, capsys):
    """Pre-key (version 1) events verify with plain SHA-256; one appended after
    keyed events is a forgery, whatever its hash."""
    from tenancy.audit import UNKEYED, event_hash

    events = _events(bank, 2)
    forged = AuditEvent(
        tenant_id=bank.tenant.pk,
        seq=3,
        occurred_at=events[-1].occurred_at,
        action="compliance.reveal",
        data={},
        prev_hash=events[-1].hash,
        chain_version=UNKEYED,
    )
    forged.hash = event_hash(forged)
    _superuser_sql(
        (
            "INSERT INTO tenancy_auditevent (tenant_id, seq, occurred_at, actor_username, action,"
            " object_type, object_id, data, prev_hash, hash, chain_version)"
            " VALUES (%s, 3, %s, '', 'compliance.reveal', '', '', '{}', %s, %s, 1)",
            [bank.tenant.pk, forged.occurred_at, forged.prev_hash, forged.hash],
        )
    )
    failed, _, err = _verify(capsys, tenant="a-bank")
    assert failed and "seq=3: an unkeyed event after keyed ones" in err


def test_a_pre_key_chain_still_verifies_and_links_to_the_keyed_one(bank, capsys):
    """Migration path: events from before the keyed chain (version 1) keep
    their SHA-256 and verify; the first keyed event chains onto them."""
    from tenancy.audit import UNKEYED, event_hash

    with bank.scope():
        old = AuditEvent(
            tenant_id=bank.tenant.pk,
            seq=1,
            occurred_at=timezone.now(),
            action="legacy",
            data={},
            prev_hash=GENESIS,
            chain_version=UNKEYED,
        )
        old.hash = event_hash(old)
        old.save(force_insert=True)
        new = audit_record(action="after upgrade", actor=bank.admin)
    assert new.prev_hash == old.hash
    failed, out, _ = _verify(capsys, tenant="a-bank")
    assert not failed and "a-bank: ok (2 events" in out


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_tamper_rehashed_pre_key_chain_is_detected_against_the_checkpoint(bank, capsys):
    """Version-1 events can be recomputed without a key; the checkpoint's head
    HMAC is what pins them."""
    from tenancy.audit import UNKEYED, event_hash

    with bank.scope():
        prev, old = GENESIS, []
        for seq in (1, 2):
            event = AuditEvent(
                tenant_id=bank.tenant.pk,
                seq=seq,
                occurred_at=timezone.now(),
                action=f"legacy{seq}",
                data={},
                prev_hash=prev,
                chain_version=UNKEYED,
            )
            event.hash = prev = event_hash(event)
            event.save(force_insert=True)
            old.append(event)
    _verify(capsys, checkpoint=True)
    old[0].action, statements, prev = "rewritten", [], GENESIS
    for event in old:
        event.prev_hash = prev
        event.hash = prev = event_hash(event)
        statements.append(
            (
                "UPDATE tenancy_auditevent SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.action, event.prev_hash, event.hash, event.pk],
            )
        )
    _superuser_sql(*statements)
    failed, _, err = _verify(capsys, tenant="a-bank")
    assert failed and f"id={old[1].pk} seq=2: the chain differs from the checkpoint" in err
