"""``seed_demo`` builds the demo bank's tenant and staff here; every other app
adds its own demo data through a registered seeder, so tenancy imports none
of them. Register in AppConfig.ready():

    from tenancy.demo import register_seeder
    register_seeder(order=10, seeder=seed_clients)

``seeder(ctx: SeedContext) -> None`` runs inside the demo tenant's scope and
must be deterministic for ``ctx.seed``.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.management.base import OutputWrapper
from django.db import connection

from .models import Branch, Tenant, User
from .registry import Registry


@dataclass
class SeedContext:
    tenant: Tenant
    seed: int
    clients: int
    interactions: int
    rng: random.Random
    branches: list[Branch]
    staff: dict[str, list[User]]
    stdout: OutputWrapper | None = None
    extra: dict = field(default_factory=dict)

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)


DEMO_SEEDERS: Registry[Callable[[SeedContext], None]] = Registry("demo data seeders")


def register_seeder(*, order: int, seeder: Callable[[SeedContext], None]) -> None:
    DEMO_SEEDERS.register(f"{seeder.__module__}.{seeder.__qualname__}", seeder, order=order)


def run_seeders(ctx: SeedContext) -> None:
    for seeder in DEMO_SEEDERS:
        seeder(ctx)


def staff_bulk_create(users: list[User]) -> list[User]:
    """Insert demo or benchmark staff in one statement (no audit: fixtures)."""
    return User.objects.bulk_create(users)


def insert_rows(
    model, columns: list[str], rows: list[tuple], constants: dict | None = None
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order, DB-ready values) fast, for seeders.

    On PostgreSQL: COPY into a temporary table, then INSERT ... SELECT (COPY FROM
    refuses tables with row-level security). Elsewhere: executemany. The caller
    sets every NOT NULL column (no model defaults are applied) and the tenant.
    ``constants`` ({column: value}) are the same in every row: passed once, as
    parameters of the INSERT ... SELECT, not written and parsed a million times.
    """
    if not rows:
        return
    table = model._meta.db_table
    constants = constants or {}
    if connection.vendor != "postgresql":
        columns = [*columns, *constants]
        rows = [(*row, *constants.values()) for row in rows]
        ops = connection.ops

        def adapt(v):
            if isinstance(v, datetime):
                return ops.adapt_datetimefield_value(v)
            if isinstance(v, date):
                return v.isoformat()
            return str(v) if isinstance(v, Decimal) else v

        rows = [tuple(adapt(v) for v in row) for row in rows]
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        return
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    buf.seek(0)
    cols = ", ".join(columns)
    targets = ", ".join([*columns, *constants])
    values = ", ".join([*columns, *["%s"] * len(constants)])
    statements = [
        (
            f"CREATE TEMP TABLE IF NOT EXISTS seed_{table} AS SELECT {cols} FROM {table} WITH NO DATA",
            None,
        ),
        (f"TRUNCATE seed_{table}", None),
        (f"COPY seed_{table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf),
        (
            f"INSERT INTO {table} ({targets}) SELECT {values} FROM seed_{table}",
            list(constants.values()),
        ),
        (f"DROP TABLE seed_{table}", None),
    ]
    if _background is not None:
        _background.submit(statements)
        return
    with connection.cursor() as cursor:
        _run(cursor.cursor, statements)


def _run(cursor, statements) -> None:
    """The statements of one ``insert_rows`` on a psycopg2 cursor (a file: COPY from it)."""
    for sql, arg in statements:
        if isinstance(arg, io.StringIO):
            cursor.copy_expert(sql, arg)
        else:
            cursor.execute(sql, arg)


class _BackgroundInserts:
    """``insert_rows`` inside ``background_inserts()``: the COPY and INSERT of
    a batch run on the seeding connection in a second thread while the
    seeder builds the next batch in Python (psycopg2 waits on the server
    without the GIL), so the seeder's Python time and PostgreSQL's time
    overlap on two cores instead of adding up. One batch in flight at a time;
    every other statement on the connection (an execute wrapper), the next
    batch and the end of the block first wait for it, so the order of the
    statements and the single transaction are as without it; an error of a
    batch is raised in the seeder at that wait, as Django's DatabaseError."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-insert")
        self.pending: Future | None = None

    def wait(self) -> None:
        future, self.pending = self.pending, None
        if future is not None:
            with connection.wrap_database_errors:
                future.result()

    def submit(self, statements) -> None:
        self.wait()
        connection.ensure_connection()
        raw = connection.connection
        self.pending = self.pool.submit(self._insert, raw, statements)

    @staticmethod
    def _insert(raw, statements) -> None:
        with raw.cursor() as cursor:
            _run(cursor, statements)

    def __call__(self, execute, sql, params, many, context):
        self.wait()
        return execute(sql, params, many, context)


_background: _BackgroundInserts | None = None


@contextmanager
def background_inserts():
    """Run the block's ``insert_rows`` batches in the background (PostgreSQL;
    elsewhere nothing changes). Leave the block before the transaction ends:
    it waits for the last batch."""
    global _background
    if connection.vendor != "postgresql" or _background is not None:
        yield
        return
    _background = inserts = _BackgroundInserts()
    try:
        with connection.execute_wrapper(inserts):
            yield
        inserts.wait()
    finally:
        _background = None
        if inserts.pending is not None:  # the block failed: let the batch in flight end
            with suppress(Exception):  # the block's own error is the one raised
                inserts.pending.result()
        inserts.pool.shutdown(wait=True)
