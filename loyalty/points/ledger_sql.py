"""The set-based half of the ledger, shared by the earn rules and the expiry:
insert many entries in one statement (a unique ``source_key`` each, so a
rerun or a concurrent run writes nothing twice), then move the balances of
exactly those clients by exactly those entries in one more statement.

The statements run on PostgreSQL and SQLite alike. On PostgreSQL the balance
trigger (migration 0002) is deferred to the commit for the transaction, since
the entries are inserted before the balances move; it then checks every
touched client."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from ..models import PointsAccount, PointsEntry

ENTRY_TABLE = PointsEntry._meta.db_table
ACCOUNT_TABLE = PointsAccount._meta.db_table


def dt(value: datetime):
    """A datetime as the database stores it (SQLite keeps naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def defer_balance_check(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS pointsentry_balance_matches DEFERRED")


def insert_entries(cursor, *, select_sql: str, params: list) -> int:
    """``select_sql`` yields (tenant_id, client_id, kind, points, reason,
    source_key, created_at, expires_at) rows; rows whose key exists are skipped.
    Returns the number of entries written."""
    defer_balance_check(cursor)
    cursor.execute(
        f"INSERT INTO {ENTRY_TABLE} (tenant_id, client_id, kind, points, reason, source_key,"
        f" created_at, expires_at) {select_sql}"
        " ON CONFLICT (tenant_id, source_key) DO NOTHING",
        params,
    )
    return max(cursor.rowcount, 0)


def apply_to_balances(cursor, *, tenant_id: int, at: datetime, kind: str, key_prefix: str) -> None:
    """Add the entries of this run (``kind``, written at ``at``, keys starting
    with ``key_prefix``) to their clients' balances, creating missing accounts."""

    def run(alias: str = "") -> str:
        a = f"{alias}." if alias else ""
        return (
            f"{a}tenant_id = %s AND {a}created_at = %s AND {a}kind = %s AND {a}source_key LIKE %s"
        )

    run_params = [tenant_id, dt(at), kind, key_prefix + "%"]
    cursor.execute(
        f"INSERT INTO {ACCOUNT_TABLE} (tenant_id, client_id, balance, updated_at)"
        f" SELECT DISTINCT tenant_id, client_id, 0, %s FROM {ENTRY_TABLE} WHERE {run()}"
        " ON CONFLICT (tenant_id, client_id) DO NOTHING",
        [dt(at), *run_params],
    )
    cursor.execute(
        f"UPDATE {ACCOUNT_TABLE} SET updated_at = %s, balance = balance + ("
        f"SELECT COALESCE(SUM(e.points), 0) FROM {ENTRY_TABLE} e"
        f" WHERE e.client_id = {ACCOUNT_TABLE}.client_id AND {run('e')})"
        f" WHERE tenant_id = %s AND client_id IN (SELECT client_id FROM {ENTRY_TABLE} WHERE {run()})",
        [dt(at), *run_params, tenant_id, *run_params],
    )
