"""The database roles: the application role owns nothing, may not run DDL or
TRUNCATE, and can set no flag that widens its row-level scope."""

import pytest
from django.db import connection

from tenancy.context import tenant_scope

from ..conftest import postgres_only
from ..factories import ClientFactory

pytestmark = postgres_only()

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
