"""seed_demo's background inserts (tenancy.demo.background_inserts): a batch's
COPY and INSERT run in a second thread while the seeder builds the next one,
yet every later statement sees the batch, and a failing batch fails the
seeding (nothing kept)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, transaction

from communications.models import Notification
from tenancy import demo
from tenancy.demo import background_inserts, insert_rows

from ..conftest import postgres_only

pytestmark = [pytest.mark.django_db, postgres_only()]

COLUMNS = ["tenant_id", "recipient_id", "title", "body", "url", "created_at"]


def _rows(bank, n, title="B"):
    when = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
    return [(bank.tenant.pk, bank.rm.pk, f"{title}{i}", "", "/x/", when) for i in range(n)]


def test_each_batch_is_in_place_before_the_next_statement_runs(bank, monkeypatch):
    threads = []
    insert = demo._BackgroundInserts._insert

    def recorded(raw, statements):  # a slow batch: the query after it must wait
        threads.append(threading.current_thread().name)
        time.sleep(0.2)
        insert(raw, statements)

    monkeypatch.setattr(demo._BackgroundInserts, "_insert", staticmethod(recorded))
    with bank.scope(), transaction.atomic(), background_inserts():
        insert_rows(Notification, COLUMNS, _rows(bank, 300))
        assert Notification.objects.filter(title__startswith="B").count() == 300
        insert_rows(Notification, COLUMNS, _rows(bank, 5, "C"))
        insert_rows(Notification, COLUMNS, _rows(bank, 7, "D"))
    with bank.scope():
        assert Notification.objects.filter(title__startswith="C").count() == 5
        assert Notification.objects.filter(title__startswith="D").count() == 7
    assert len(threads) == 3 and all(t.startswith("seed-insert") for t in threads)
    assert demo._background is None


@pytest.mark.django_db(transaction=True)  # seed_demo's own transaction, not a test savepoint
def test_a_failing_batch_fails_the_block_and_nothing_is_kept(bank, other_bank):
    """A row of another tenant is refused by row-level security in the
    background thread; the error reaches the seeder as Django's, the
    transaction rolls back, and no thread is left behind."""
    # the batch's own error (not "current transaction is aborted" at the commit)
    with (
        bank.scope(),
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
    ):
        with background_inserts():
            insert_rows(Notification, COLUMNS, _rows(bank, 3))
            # the last batch: no statement after it, the block's end must raise
            # (a COMMIT of the aborted transaction would roll back in silence)
            insert_rows(Notification, COLUMNS, _rows(other_bank, 1, "X"))
    with bank.scope():
        assert not Notification.objects.filter(title__startswith="B").exists()
    with other_bank.scope():
        assert not Notification.objects.filter(title__startswith="X").exists()
    assert demo._background is None
    assert not [t for t in threading.enumerate() if t.name.startswith("seed-insert")]
