"""Row-level security on PostgreSQL: the second wall behind the scoped managers."""

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


def test_the_setting_is_transaction_local(two_populated_banks):
    a, _ = two_populated_banks
    with tenant_scope(a.tenant):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        assert cursor.fetchone()[0] in (None, "")
