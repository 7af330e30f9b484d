"""Rows for communications tests, created inside the tenant's scope."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from communications.models import FollowUp, Interaction
from tenancy.context import tenant_scope


def make_interaction(client, author, **kwargs) -> Interaction:
    with tenant_scope(client.tenant_id):
        at = kwargs.pop("occurred_at", timezone.now() - timedelta(hours=1))
        return Interaction.objects.create(
            client=client,
            author=author,
            occurred_at=at,
            created_at=kwargs.pop("created_at", at),
            subject=kwargs.pop("subject", "Portfolio review"),
            **kwargs,
        )


def make_followup(client, assignee, **kwargs) -> FollowUp:
    with tenant_scope(client.tenant_id):
        return FollowUp.objects.create(
            client=client,
            assignee=assignee,
            due_at=kwargs.pop("due_at", timezone.now() + timedelta(days=1)),
            note=kwargs.pop("note", "Send the product sheet"),
            **kwargs,
        )


def bulk_followups(client, assignee, n: int, *, due_at) -> list[FollowUp]:
    with tenant_scope(client.tenant_id):
        return FollowUp.objects.bulk_create(
            [
                FollowUp(
                    tenant_id=client.tenant_id,
                    client=client,
                    assignee=assignee,
                    due_at=due_at,
                    note=f"step {i}",
                )
                for i in range(n)
            ]
        )
