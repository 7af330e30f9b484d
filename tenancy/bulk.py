"""Multi-row INSERTs for the hot paths of background jobs (the reminder
sweep's ledger and notifications: 100,000 rows in one run).

``Model.objects.bulk_create`` prepares every value of every row through its
field (a tenth of a millisecond a row: half of a sweep batch's time) and
builds model instances first. Here the caller passes plain values in column
order — already what the database stores: ints, strings, aware datetimes —
and PostgreSQL gets one ``INSERT … VALUES … RETURNING id`` per batch built by
psycopg2's ``execute_values``. Elsewhere (SQLite, ``make demo``) the rows go
through ``bulk_create``. No model defaults are applied: the caller sets every
NOT NULL column, the tenant included (row-level security checks it).
"""

from __future__ import annotations

from django.db import connection


def insert_returning_ids(model, columns: list[str], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table in
    one statement; the new ids, in row order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        fields = {f.column: f.attname for f in model._meta.concrete_fields}
        objs = model.objects.bulk_create(
            [model(**{fields[c]: v for c, v in zip(columns, row, strict=True)}) for row in rows]
        )
        return [obj.pk for obj in objs]
    from psycopg2.extras import execute_values

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    # the psycopg2 cursor itself, so its errors are wrapped as Django wraps its
    # own (IntegrityError, DatabaseError from django.db)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        returned = execute_values(
            cursor.cursor,
            f"INSERT INTO {table} ({names}) VALUES %s RETURNING id",
            rows,
            page_size=len(rows),
            fetch=True,
        )
    return [row[0] for row in returned]
