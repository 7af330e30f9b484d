"""tenancy.bulk.insert_returning_ids: the new ids in row order, every value
stored as given (PostgreSQL: one INSERT … RETURNING; SQLite: bulk_create)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, transaction

from communications.models import Notification
from tenancy.bulk import insert_returning_ids

from ..conftest import postgres_only

pytestmark = pytest.mark.django_db

COLUMNS = ["tenant_id", "recipient_id", "title", "body", "url", "created_at"]


def test_rows_are_stored_as_given_and_ids_come_back_in_order(bank):
    when = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
    rows = [
        (bank.tenant.pk, bank.rm.pk, f"T{i} 王 'q' \"d\"", f"body {i}", "/x/", when)
        for i in range(3)
    ]
    with bank.scope():
        ids = insert_returning_ids(Notification, COLUMNS, rows)
        stored = {n.pk: n for n in Notification.objects.filter(pk__in=ids)}
    assert len(ids) == 3 and ids == sorted(ids)
    for pk, row in zip(ids, rows, strict=True):
        n = stored[pk]
        assert (n.tenant_id, n.recipient_id, n.title, n.body, n.url, n.created_at) == row
        assert n.read_at is None
    assert insert_returning_ids(Notification, COLUMNS, []) == []


@postgres_only()
def test_a_row_of_another_tenant_is_refused_by_row_level_security(bank, other_bank):
    """The plain INSERT skips the models' tenant stamping: the database's
    policy is what refuses a row for a tenant other than the one in scope."""
    row = (other_bank.tenant.pk, other_bank.rm.pk, "T", "", "/x/", datetime.now(UTC))
    with bank.scope(), pytest.raises(DatabaseError), transaction.atomic():
        insert_returning_ids(Notification, COLUMNS, [row])
    with other_bank.scope():
        assert not Notification.objects.filter(title="T").exists()
