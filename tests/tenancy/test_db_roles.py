"""The database roles: the application role owns nothing, may not run DDL or
TRUNCATE, and can set no flag that widens its row-level scope."""

import os
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from tenancy.context import tenant_scope

from ..conftest import OWNER_URL, postgres_only
from ..factories import ClientFactory

pytestmark = postgres_only()
owner_mode = pytest.mark.skipif(
    not OWNER_URL, reason="needs DATABASE_OWNER_URL: make test migrates as the owner role"
)
ROOT = Path(__file__).resolve().parents[2]

FLAGS = ["app.all_tenants", "app.bypass_rls", "app.platform", "app.superuser"]


@pytest.fixture
def two_clients(bank, other_bank):
    ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
    ClientFactory(
        tenant=other_bank.tenant, branch=other_bank.branch, dedicated_manager=other_bank.rm
    )
    return bank, other_bank


def _foreign_clients(cursor, tenant_id: int) -> int:
    cursor.execute("SELECT count(*) FROM clients_client WHERE tenant_id = %s", [tenant_id])
    return cursor.fetchone()[0]


@pytest.mark.parametrize("flag", FLAGS)
def test_no_app_flag_opens_another_tenant(two_clients, flag):
    a, b = two_clients
    with tenant_scope(a.tenant), connection.cursor() as cursor:
        for value in ("on", "true", "1", str(b.tenant.pk)):
            cursor.execute("SELECT set_config(%s, %s, true)", [flag, value])
            assert _foreign_clients(cursor, b.tenant.pk) == 0
        assert _foreign_clients(cursor, a.tenant.pk) == 1


@pytest.mark.parametrize("flag", FLAGS)
def test_no_app_flag_opens_any_tenant_outside_a_scope(two_clients, flag):
    a, b = two_clients
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', false)", [flag])
        try:
            cursor.execute("SELECT count(*) FROM clients_client")
            assert cursor.fetchone()[0] == 0
        finally:
            cursor.execute(f"RESET {flag}")


def test_the_policies_read_no_setting_but_the_tenant_id(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, qual, with_check FROM pg_policies")
        rows = cursor.fetchall()
    assert rows
    assert [r[0] for r in rows if "all_tenants" in f"{r[1]}{r[2]}"] == []
    settings_read = {
        part.split("'")[1]
        for _, qual, _check in rows
        for part in qual.split("current_setting(")[1:]
    }
    assert settings_read == {"app.tenant_id"}


def test_the_tenant_setter_refuses_anything_but_an_integer(db):
    from tenancy.context import _db_set_tenant

    with pytest.raises(ValueError):
        _db_set_tenant("1'; SET app.tenant_id = '2", "default")


# --- the application role owns nothing (issue 8, finding 4) -------------------


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
    return str(caught.value)


@owner_mode
def test_the_tests_run_as_the_app_role_and_the_owner_made_the_tables(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, (SELECT pg_get_userbyid(relowner) FROM pg_class"
            " WHERE relname = 'tenancy_auditevent')"
        )
        current, audit_owner = cursor.fetchone()
    assert current == os.environ.get("DATABASE_APP_ROLE", "steward_app")
    assert audit_owner != current


@owner_mode
def test_the_app_role_owns_nothing(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles"
            " WHERE rolname = current_user)"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT pg_get_userbyid(datdba) = current_user FROM pg_database"
            " WHERE datname = current_database()"
        )
        assert cursor.fetchone() == (False,)


@owner_mode
@pytest.mark.parametrize("table", ["tenancy_auditevent", "clients_client"])
def test_the_app_role_cannot_truncate(db, table):
    assert "permission denied" in _refused(f"TRUNCATE {table}")


@owner_mode
@pytest.mark.parametrize("table", ["tenancy_auditevent", "clients_client"])
def test_the_app_role_cannot_switch_row_level_security_off(db, table):
    for sql in (
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        f"DROP POLICY tenant_isolation ON {table}",
    ):
        assert "must be owner" in _refused(sql)


@owner_mode
def test_the_app_role_cannot_disable_the_append_only_trigger(db):
    for sql in (
        "ALTER TABLE tenancy_auditevent DISABLE TRIGGER audit_append_only",
        "ALTER TABLE tenancy_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_append_only ON tenancy_auditevent",
    ):
        assert "must be owner" in _refused(sql)


@owner_mode
def test_the_app_role_cannot_create_or_alter_tables(db):
    assert "permission denied" in _refused("CREATE TABLE forged (id int)")
    assert "must be owner" in _refused("ALTER TABLE clients_client ADD COLUMN forged int")
    assert "permission denied" in _refused("SET session_replication_role = replica")


@owner_mode
def test_the_app_role_may_only_insert_and_select_audit_events(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p, has_table_privilege(current_user, 'tenancy_auditevent', p)"
            " FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','TRIGGER',"
            "'REFERENCES']) AS p"
        )
        granted = {p for p, ok in cursor.fetchall() if ok}
        cursor.execute("SELECT has_table_privilege(current_user, 'clients_client', 'UPDATE')")
        assert cursor.fetchone() == (True,)
    assert granted == {"SELECT", "INSERT"}


def test_make_test_migrates_as_the_owner_and_runs_as_the_app_role():
    makefile = (ROOT / "Makefile").read_text()
    test_env = makefile.split("TEST_ENV :=", 1)[1].split("\n\n", 1)[0]
    assert "DATABASE_URL=postgres://$(APP_ROLE)@" in test_env
    assert "DATABASE_OWNER_URL=postgres://$(OWNER_ROLE)@" in test_env


@owner_mode
def test_the_app_role_may_analyze_application_tables_only(db):
    """Large imports refresh statistics in their own transaction through the
    owner's steward_analyze(); a plain ANALYZE is skipped for a non-owner, and the
    function refuses anything outside the application's tables."""
    from tenancy.rls import analyze_tables

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != "postgres"
    analyze_tables("clients_holding")  # no error as the app role
    with pytest.raises(DatabaseError, match="not an application table"), transaction.atomic():
        analyze_tables("pg_catalog.pg_class")
