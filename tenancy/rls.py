"""PostgreSQL row-level security: the second wall behind the scoped managers.

Applied after every ``migrate`` to every table with a ``tenant`` column,
so a new tenant table cannot be forgotten. ENABLE + FORCE: the policy binds the
table owner too. Rows are visible only when ``tenant_id`` equals the
transaction-local ``app.tenant_id`` setting; with no setting a query returns
nothing. Nothing else widens the policy: there is no flag a session of the
application role could set to see every tenant (code that crosses tenants runs
each tenant in its own scope, see tenancy.context).
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection

POLICY = "tenant_isolation"

_CONDITION = "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)"


def tenant_models() -> list[type]:
    """Every concrete model with a ``tenant`` column, except staff (User), whose
    rows authentication must read before any tenant is known."""
    from .models import User

    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model is not User
        and any(f.name == "tenant" and f.concrete for f in model._meta.fields)
    ]


def tenant_tables() -> list[str]:
    return sorted(model._meta.db_table for model in tenant_models())


def policy_sql(table: str) -> list[str]:
    q = connection.ops.quote_name(table)
    return [
        f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {q} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {q}",
        f"CREATE POLICY {POLICY} ON {q} USING {_CONDITION} WITH CHECK {_CONDITION}",
    ]


APPEND_ONLY_SQL = [
    """
    CREATE OR REPLACE FUNCTION steward_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS audit_append_only ON tenancy_auditevent",
    """
    CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON tenancy_auditevent
    FOR EACH ROW EXECUTE FUNCTION steward_append_only()
    """,
]


def apply_row_level_security(sender=None, using: str = "default", **kwargs) -> None:
    """post_migrate receiver; runs once, when the tenancy app's signal arrives."""
    if sender is not None and getattr(sender, "name", None) != "tenancy":
        return
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return  # SQLite (the demo) has no row-level security; the managers still scope.
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        for table in tenant_tables():
            if table in existing:
                for statement in policy_sql(table):
                    cursor.execute(statement)
        if "tenancy_auditevent" in existing:
            for statement in APPEND_ONLY_SQL:
                cursor.execute(statement)
