"""The nightly FIFO expiry, set-based and idempotent.

Lots are the positive entries (earnings and positive adjustments), each with
``expires_at``. Every negative entry (redemption, expiry, negative adjustment)
consumes lots soonest-expiring first. The lots expired by ``now`` are then
always the first ones in that order, and the part of them still unconsumed is

    expiring = max(0, Σ points of the lots with expires_at ≤ now − Σ |negative entries|)

per client — one aggregate, no walk over the lots. The ``expire`` entry is
keyed ``expire:<client id>:<number of expired lots>``: a rerun finds nothing
left (the expiry itself is now consumption) and, should two runs race, the
second's key is taken and it writes nothing. A later expiry of the same
client has more expired lots, hence a new key. (See loyalty/README.md.)
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from tenancy.audit import audit_record
from tenancy.context import require_tenant_id

from ..models import EntryKind
from .earn import _lock_settings
from .ledger_sql import ACCOUNT_TABLE, ENTRY_TABLE, dt, write_run

EXPIRE_KEY = "expire:"
EXPIRE_REASON = gettext_noop("Points expired")


def _due_sql() -> str:
    """One pass over the tenant's ledger: per client, the points of the expired
    lots, what every negative entry consumed, and how many lots have expired."""
    key = "'expire:' || CAST(d.client_id AS VARCHAR(20)) || ':' || CAST(d.n AS VARCHAR(20))"
    return f"""
        SELECT d.tenant_id AS e_tenant, d.client_id AS e_client, %s AS e_kind,
               d.consumed - d.expired AS e_points, %s AS e_reason,
               {key} AS e_key, %s AS e_created, CAST(NULL AS TIMESTAMP) AS e_expires
          FROM (SELECT tenant_id, client_id,
                       SUM(CASE WHEN points > 0 AND expires_at <= %s THEN points ELSE 0 END)
                           AS expired,
                       SUM(CASE WHEN points > 0 AND expires_at <= %s THEN 1 ELSE 0 END) AS n,
                       SUM(CASE WHEN points < 0 THEN -points ELSE 0 END) AS consumed
                  FROM {ENTRY_TABLE}
                 WHERE tenant_id = %s
                 GROUP BY tenant_id, client_id) d
         WHERE d.expired > d.consumed
    """


def points_expire_due(*, now: datetime | None = None) -> int:
    """Expire the unconsumed part of every lot past its ``expires_at`` for the
    tenant in scope. Returns the number of ``expire`` entries written (0 on a rerun).

    Locks first the tenant's points settings row (one points job at a time),
    then the accounts with expired lots in id order (redemptions of those
    clients wait, so the arithmetic reads every committed consumption)."""
    now = now or timezone.now()
    tenant_id = require_tenant_id()
    with transaction.atomic():
        _lock_settings()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT id FROM {ACCOUNT_TABLE} WHERE tenant_id = %s AND client_id IN ("
                    f"SELECT client_id FROM {ENTRY_TABLE}"
                    " WHERE tenant_id = %s AND points > 0 AND expires_at <= %s)"
                    " ORDER BY id FOR UPDATE",
                    [tenant_id, tenant_id, now],
                )
        written = write_run(
            select_sql=_due_sql(),
            params=[EntryKind.EXPIRE, EXPIRE_REASON, dt(now), dt(now), dt(now), tenant_id],
            tenant_id=tenant_id,
            at=now,
            # under the locks an expired prefix with nothing left yields no row, so a
            # rerun yields none; a key taken anyway fails the INSERT (the run rolls back)
            skip_written=False,
        )
        if written:
            audit_record(
                action="loyalty.points_expired",
                object_type="loyalty.pointsentry",
                data={"entries": written},
            )
        return written
