"""The audit trail: append-only and hash-chained per tenant.

``audit_record`` is the only writer. It locks the tenant's row, so two
concurrent writers cannot both extend the chain from the same event.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .context import require_tenant_id
from .models import AuditEvent, Tenant

GENESIS = "0" * 64


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
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event).encode()).hexdigest()


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
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        return event


@dataclass
class ChainBreak:
    seq: int
    event_id: int
    reason: str


def audit_verify_chain(events) -> ChainBreak | None:
    """Walk events in ``seq`` order; return the first break, or None."""
    prev = GENESIS
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(event.seq, event.pk, f"missing event(s) before seq {event.seq}")
        if event.prev_hash != prev:
            return ChainBreak(event.seq, event.pk, "prev_hash does not match the previous event")
        if event_hash(event) != event.hash:
            return ChainBreak(event.seq, event.pk, "content does not match its hash")
        prev = event.hash
        expected_seq += 1
    return None
