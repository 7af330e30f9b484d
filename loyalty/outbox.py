"""The loyalty outboxes' sender (survey messages, event messages): claim the
tenant in scope's pending rows a batch at a time with ``skip_locked`` (two
workers never send one message twice), send each that still fits through
its channel (``loyalty.surveys.channels``), and mark the whole batch
delivered — a message that no longer fits is dropped with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tenancy.context import require_tenant_id
from tenancy.models import Tenant

from .surveys.channels import backend_for

# compose(message, tenant, now) -> (to, subject, body), or None to drop the message
Compose = Callable[..., tuple[str, str, str] | None]


def outbox_deliver(
    pending: QuerySet, *, compose: Compose, batch_size: int, now: datetime | None = None
) -> int:
    """Send ``pending`` (an outbox's undelivered rows, with what ``compose``
    reads selected) in batches; returns how many went out."""
    sent = 0
    tenant = Tenant.objects.get(pk=require_tenant_id())
    while True:
        with transaction.atomic():
            batch = list(
                pending.select_for_update(skip_locked=True, of=("self",)).order_by(
                    "created_at", "pk"
                )[:batch_size]
            )
            if not batch:
                return sent
            stamp = now or timezone.now()
            with timezone.override(tenant.timezone):
                for message in batch:
                    composed = compose(message, tenant, stamp)
                    if composed is None:
                        continue
                    to, subject, body = composed
                    backend_for(message.channel).send(to=to, subject=subject, body=body)
                    sent += 1
            type(batch[0]).objects.filter(pk__in=[m.pk for m in batch]).update(delivered_at=stamp)
