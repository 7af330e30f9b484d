"""The set-based half of the ledger, shared by the earn rules and the expiry.

One run: (1) the candidate entries go into a temporary table, minus every
``source_key`` already in the ledger (a rerun finds nothing to do); (2) the
balances of exactly those clients move by exactly those points (missing
accounts are created at zero first); (3) the entries are inserted from the
same table. Balances before entries, so PostgreSQL's balance trigger
(migration 0002), which checks each inserted entry against its account at
the end of the INSERT, passes; a candidate whose key a concurrent writer took
in between makes the INSERT fail and the whole run roll back (never a
double entry, never a balance without its entry). The runs of one tenant
queue on its points settings row (``earn._lock_settings``).

Plain SQL that PostgreSQL and SQLite both run."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from ..models import PointsAccount, PointsEntry

ENTRY_TABLE = PointsEntry._meta.db_table
ACCOUNT_TABLE = PointsAccount._meta.db_table
RUN_TABLE = "loyalty_points_run"
COLUMNS = "tenant_id, client_id, kind, points, reason, source_key, created_at, expires_at"
# the candidate SELECT names its eight columns so (earn builds it with the ORM)
ALIASES = (
    "e_tenant",
    "e_client",
    "e_kind",
    "e_points",
    "e_reason",
    "e_key",
    "e_created",
    "e_expires",
)


def dt(value: datetime):
    """A datetime as the database stores it (SQLite keeps naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def write_run(
    *, select_sql: str, params: list, tenant_id: int, at: datetime, skip_written: bool = True
) -> int:
    """Write the entries ``select_sql`` yields (columns named ``ALIASES``),
    skipping keys already written (``skip_written``; a caller whose SELECT
    cannot yield a written key — the expiry — leaves the unique constraint
    as the only wall); returns how many were written."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RUN_TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {RUN_TABLE} AS SELECT {COLUMNS} FROM {ENTRY_TABLE} WHERE 1 = 0"
        )
        a = dict(zip(("t", "c", "k", "p", "r", "s", "ca", "ea"), ALIASES, strict=True))
        cursor.execute(
            f"INSERT INTO {RUN_TABLE} ({COLUMNS})"
            f" SELECT c.{a['t']}, c.{a['c']}, c.{a['k']}, c.{a['p']}, c.{a['r']}, c.{a['s']},"
            f" c.{a['ca']}, c.{a['ea']} FROM ({select_sql}) c"
            + (
                f" WHERE NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} e"
                f" WHERE e.tenant_id = c.{a['t']} AND e.source_key = c.{a['s']})"
                if skip_written
                else ""
            ),
            params,
        )
        # the balance UPDATE looks each account's points up here (a bench run of 22,000
        # expiries took minutes without it)
        cursor.execute(f"CREATE INDEX {RUN_TABLE}_client ON {RUN_TABLE} (client_id)")
        cursor.execute(f"SELECT COUNT(*) FROM {RUN_TABLE}")
        written = cursor.fetchone()[0]
        if written:
            cursor.execute(
                f"INSERT INTO {ACCOUNT_TABLE} (tenant_id, client_id, balance, updated_at)"
                f" SELECT DISTINCT tenant_id, client_id, 0, %s FROM {RUN_TABLE}"
                " WHERE true ON CONFLICT (tenant_id, client_id) DO NOTHING",
                [dt(at)],
            )
            cursor.execute(
                f"UPDATE {ACCOUNT_TABLE} SET updated_at = %s, balance = balance + ("
                f"SELECT SUM(r.points) FROM {RUN_TABLE} r"
                f" WHERE r.client_id = {ACCOUNT_TABLE}.client_id)"
                f" WHERE tenant_id = %s AND client_id IN (SELECT client_id FROM {RUN_TABLE})",
                [dt(at), tenant_id],
            )
            cursor.execute(
                f"INSERT INTO {ENTRY_TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {RUN_TABLE}"
            )
        cursor.execute(f"DROP TABLE {RUN_TABLE}")
    return written
