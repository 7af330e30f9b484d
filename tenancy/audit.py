"""The audit trail: append-only and HMAC-chained per tenant, with signed
checkpoints of each chain head kept outside the database.

``audit_record`` is the only writer. It locks the tenant's row, so two
concurrent writers cannot both extend the chain from the same event.

Each event's ``hash`` is HMAC-SHA256 (key: ``settings.AUDIT_HMAC_KEY``, never
in the database) over the event and the previous event's ``hash``. Someone who
can write the table but does not hold the key cannot recompute a valid chain
after an edit. What the key cannot show is a *missing tail*: deleting the
newest events (or every event) leaves a valid, shorter chain. Checkpoints close
that gap: ``audit_checkpoint_write`` appends the tenant's head (last event id,
seq, count, head HMAC), signed with the key, to a JSONL file under
``settings.AUDIT_CHECKPOINT_DIR``; ``audit_verify`` compares the chain with the
latest checkpoint.

Chain versions: events written before the keyed chain (``chain_version`` 1)
carry an unkeyed SHA-256. They are verified as such and may only precede the
first keyed event, whose HMAC covers the last unkeyed hash; history is not
rewritten.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .context import require_tenant_id, tenant_scope
from .models import AuditEvent, Tenant

GENESIS = "0" * 64
UNKEYED = 1  # SHA-256 without a key (events written before the keyed chain)
KEYED = 2  # HMAC-SHA256 with settings.AUDIT_HMAC_KEY
CHECKPOINT_FILE = "checkpoints.jsonl"


def _canonical(event: AuditEvent) -> str:
    payload = {
        "tenant": event.tenant_id,
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "ip": event.ip_address,
        "prev": event.prev_hash,
    }
    if event.chain_version != UNKEYED:
        payload["v"] = event.chain_version
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def _key(key: bytes | str | None) -> bytes:
    key = settings.AUDIT_HMAC_KEY if key is None else key
    return key.encode() if isinstance(key, str) else key


def event_hash(event: AuditEvent, *, key: bytes | str | None = None) -> str:
    """The event's chain hash: HMAC-SHA256 with ``key`` (default: the configured
    key) for keyed events, plain SHA-256 for pre-key (version 1) events."""
    if event.chain_version == UNKEYED:
        return hashlib.sha256(_canonical(event).encode()).hexdigest()
    return hmac.new(_key(key), _canonical(event).encode(), hashlib.sha256).hexdigest()


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the tenant in scope's chain (raises without a tenant)."""
    tenant_id = require_tenant_id()
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
    with transaction.atomic():
        # The lock serialises writers of one tenant's chain (no fork).
        Tenant.objects.select_for_update().only("id").get(pk=tenant_id)
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        actor_obj = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            tenant_id=tenant_id,
            seq=seq,
            occurred_at=timezone.now(),
            actor=actor_obj,
            actor_username=getattr(actor_obj, "username", "") or "",
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id != "" else "",
            data=json.loads(json.dumps(data or {}, default=str)),
            ip_address=ip_address,
            prev_hash=prev,
            chain_version=KEYED,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        return event


@dataclass
class ChainBreak:
    seq: int | None
    event_id: int | None
    reason: str


@dataclass
class ChainHead:
    count: int
    last_seq: int
    last_event_id: int | None
    head: str


def audit_verify_chain(events, *, key: bytes | str | None = None) -> ChainBreak | ChainHead:
    """Walk events in ``seq`` order; return the first break, or the chain's head."""
    prev = GENESIS
    expected_seq = 1
    last_id = None
    keyed_seen = False
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(event.seq, event.pk, f"missing event(s) before seq {event.seq}")
        if event.prev_hash != prev:
            return ChainBreak(event.seq, event.pk, "prev_hash does not match the previous event")
        if event.chain_version not in (UNKEYED, KEYED):
            return ChainBreak(event.seq, event.pk, f"unknown chain version {event.chain_version}")
        if event.chain_version == UNKEYED and keyed_seen:
            return ChainBreak(event.seq, event.pk, "an unkeyed event after keyed ones (forged)")
        keyed_seen = keyed_seen or event.chain_version == KEYED
        if not hmac.compare_digest(event_hash(event, key=key), event.hash):
            return ChainBreak(event.seq, event.pk, "content does not match its HMAC")
        prev = event.hash
        last_id = event.pk
        expected_seq += 1
    return ChainHead(expected_seq - 1, expected_seq - 1, last_id, prev)


# --- checkpoints -------------------------------------------------------------


def audit_checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / CHECKPOINT_FILE


def _checkpoint_signature(fields: dict, key: bytes | str | None = None) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    # Domain-separated from event HMACs: a checkpoint can never pass for an event.
    return hmac.new(_key(key), b"steward-audit-checkpoint:" + body.encode(), "sha256").hexdigest()


def _chain_head() -> ChainHead:
    """The head of the tenant in scope's chain as stored (not verified)."""
    last = AuditEvent.objects.order_by("-seq").values_list("pk", "seq", "hash").first()
    if last is None:
        return ChainHead(0, 0, None, GENESIS)
    return ChainHead(AuditEvent.objects.count(), last[1], last[0], last[2])


def audit_checkpoint_write(*, tenant: Tenant, head: ChainHead | None = None) -> dict:
    """Append a signed checkpoint of ``tenant``'s chain head to the checkpoint file.

    One line per checkpoint, appended with a single write and fsynced; the file
    is never rewritten. Returns the checkpoint written."""
    if head is None:
        with tenant_scope(tenant):
            head = _chain_head()
    fields = {
        "tenant": tenant.pk,
        "slug": tenant.slug,
        "last_event_id": head.last_event_id,
        "last_seq": head.last_seq,
        "count": head.count,
        "head": head.head,
        "at": timezone.now().isoformat(),
    }
    line = {**fields, "sig": _checkpoint_signature(fields)}
    path = audit_checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(line, sort_keys=True) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


@dataclass
class CheckpointFile:
    latest: dict[int, dict]  # tenant id -> latest checkpoint with a valid signature
    bad_lines: list[int]  # line numbers whose signature (or JSON) is wrong


def audit_checkpoints_read(*, key: bytes | str | None = None) -> CheckpointFile:
    latest: dict[int, dict] = {}
    bad: list[int] = []
    path = audit_checkpoint_path()
    if not path.exists():
        return CheckpointFile(latest, bad)
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                sig = line.pop("sig")
                ok = hmac.compare_digest(_checkpoint_signature(line, key), sig)
            except (ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if not ok:
                bad.append(number)
                continue
            previous = latest.get(line["tenant"])
            # A chain only grows: a later checkpoint with fewer events means the
            # tail was cut between the two, so the longer one stays the reference.
            if previous is None or line["count"] >= previous["count"]:
                latest[line["tenant"]] = line
    return CheckpointFile(latest, bad)


def audit_compare_checkpoint(head: ChainHead, checkpoint: dict | None) -> ChainBreak | None:
    """The chain (already verified link by link) against the latest checkpoint."""
    if checkpoint is None:
        return None
    if head.count < checkpoint["count"]:
        what = "truncated (no events left)" if head.count == 0 else "events deleted from its tail"
        return ChainBreak(
            checkpoint["last_seq"],
            checkpoint["last_event_id"],
            f"{what}: {head.count} event(s), the checkpoint of {checkpoint['at']} recorded "
            f"{checkpoint['count']} ending at seq {checkpoint['last_seq']}",
        )
    return None


def audit_verify(*, tenant: Tenant, checkpoints: CheckpointFile) -> ChainBreak | ChainHead:
    """Verify ``tenant``'s chain link by link, then against its latest checkpoint."""
    with tenant_scope(tenant):
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
        try:
            result = audit_verify_chain(events)
        finally:
            events.close()  # release the server-side cursor inside the transaction
        checkpoint = checkpoints.latest.get(tenant.pk)
        if isinstance(result, ChainBreak):
            return result
        if checkpoint is not None and result.count >= checkpoint["count"] > 0:
            # The event the checkpoint named must still be there, unchanged.
            at = (
                AuditEvent.objects.filter(seq=checkpoint["last_seq"])
                .values_list("pk", "hash")
                .first()
            )
            if at != (checkpoint["last_event_id"], checkpoint["head"]):
                return ChainBreak(
                    checkpoint["last_seq"],
                    checkpoint["last_event_id"],
                    f"the chain differs from the checkpoint of {checkpoint['at']} "
                    f"at seq {checkpoint['last_seq']} (rewritten)",
                )
    return audit_compare_checkpoint(result, checkpoint) or result
