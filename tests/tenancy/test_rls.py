"""Row-level security on PostgreSQL: the second wall behind the scoped managers."""

import re
from dataclasses import dataclass

import pytest
from django.db import DatabaseError, connection, transaction

from tenancy.context import tenant_scope
from tenancy.rls import tenant_tables

from ..conftest import postgres_only
from ..factories import ClientFactory

pytestmark = postgres_only()


def _count_foreign_rows(table: str, foreign_tenant_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}" WHERE tenant_id = %s', [foreign_tenant_id])
        return cursor.fetchone()[0]


@pytest.fixture
def two_populated_banks(bank, other_bank):
    for b in (bank, other_bank):
        ClientFactory(tenant=b.tenant, branch=b.branch, dedicated_manager=b.rm)
        with b.scope():
            from tenancy.audit import audit_record

            audit_record(action="test.event", actor=b.admin)
    return bank, other_bank


def test_every_tenant_table_has_rls_enabled_and_forced(db):
    tables = tenant_tables()
    assert (
        "tenancy_branch" in tables and "clients_client" in tables and "tenancy_auditevent" in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relkind = 'r' AND relname = ANY(%s)",
            [tables],
        )
        rows = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
    assert set(rows) == set(tables)
    assert {t for t, flags in rows.items() if flags != (True, True)} == set()


def test_every_tenant_table_has_the_isolation_policy(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'")
        with_policy = {r[0] for r in cursor.fetchall()}
    assert set(tenant_tables()) <= with_policy


def test_the_app_role_is_neither_superuser_nor_bypassrls(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


def test_raw_sql_under_tenant_a_sees_none_of_tenant_bs_rows(two_populated_banks):
    a, b = two_populated_banks
    with tenant_scope(b.tenant):
        populated = [t for t in tenant_tables() if _count_foreign_rows(t, b.tenant.pk) > 0]
    # the fixture really gave tenant B rows to look for
    assert {"tenancy_branch", "clients_client", "tenancy_auditevent"} <= set(populated)
    with tenant_scope(a.tenant):
        leaked = {t: n for t in tenant_tables() if (n := _count_foreign_rows(t, b.tenant.pk))}
        own = _count_foreign_rows("tenancy_branch", a.tenant.pk)
    assert leaked == {}
    assert own == 4


def test_raw_sql_without_a_tenant_setting_sees_nothing(two_populated_banks):
    a, b = two_populated_banks
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clients_client")
        assert cursor.fetchone()[0] == 0


def test_writing_a_row_for_another_tenant_is_refused_by_the_database(two_populated_banks):
    a, b = two_populated_banks
    with tenant_scope(a.tenant), pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tenancy_branch (tenant_id, name, code, level, path) VALUES (%s, 'x', '', 'branch', '')",
                [b.tenant.pk],
            )


@dataclass
class NextTransaction:
    inside: int  # clients the scope's own transaction saw
    setting: str  # app.tenant_id as the next transaction sees it
    visible: int  # clients the next transaction sees with no scope
    same_connection: bool


def _what_the_next_transaction_sees(tenant) -> NextTransaction:
    """Scope ``tenant`` in one committed transaction, then look from a second
    transaction on the same database connection (a pooled connection's next request)."""

    def query(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    assert not connection.in_atomic_block  # the scope below is an outermost transaction
    with tenant_scope(tenant):
        pid = query("SELECT pg_backend_pid()")
        inside = query("SELECT count(*) FROM clients_client")
    with transaction.atomic():
        return NextTransaction(
            inside=inside,
            setting=query("SELECT current_setting('app.tenant_id', true)") or "",
            visible=query("SELECT count(*) FROM clients_client"),
            same_connection=query("SELECT pg_backend_pid()") == pid,
        )


@pytest.mark.django_db(transaction=True)
def test_the_tenant_setting_does_not_outlive_its_transaction(two_populated_banks):
    a, _ = two_populated_banks
    seen = _what_the_next_transaction_sees(a.tenant)
    assert seen.same_connection and seen.inside == 1
    assert (seen.setting, seen.visible) == ("", 0)


def _as_session_level(rewritten: list):
    """A database execute wrapper turning a transaction-local tenant setting
    into a session-level one: the leak the test above exists to catch. It
    rewrites either spelling, ``set_config(..., true)`` or ``SET LOCAL``."""

    def wrapper(execute, sql, params, many, context):
        leaky = re.sub(r"set_config\((.*?),\s*true\)", r"set_config(\1, false)", sql, flags=re.I)
        leaky = re.sub(r"^(\s*)SET\s+LOCAL\s+", r"\1SET ", leaky, flags=re.I)
        if leaky != sql:
            rewritten.append(leaky)
        return execute(leaky, params, many, context)

    return wrapper


@pytest.mark.django_db(transaction=True)
def test_the_check_above_catches_a_session_level_setting(two_populated_banks):
    a, _ = two_populated_banks
    rewritten: list = []
    try:
        with connection.execute_wrapper(_as_session_level(rewritten)):
            seen = _what_the_next_transaction_sees(a.tenant)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET app.tenant_id")
    assert rewritten, "the tenant setter no longer uses set_config(..., true) or SET LOCAL"
    assert seen.same_connection and seen.inside == 1
    # the leak: bank A's id and rows are still there for whatever runs next
    assert (seen.setting, seen.visible) == (str(a.tenant.pk), 1)
