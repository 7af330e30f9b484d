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
from django.conf import settings
from django.db import connection, transaction

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


AUDIT_TABLE = "tenancy_auditevent"

# Only a table's owner may ANALYZE it (PostgreSQL 15), and the application role
# owns nothing. Large imports and the demo seeding must refresh the planner's
# statistics inside their own transaction (autovacuum cannot see uncommitted rows),
# so the owner provides exactly that and nothing more: a SECURITY DEFINER function
# that ANALYZEs one table of the public schema. Statistics of tables with
# row-level security are hidden from pg_stats for the app role, so it learns nothing.
ANALYZE_FUNCTION_SQL = [
    """
    CREATE OR REPLACE FUNCTION steward_analyze(target regclass) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT FROM pg_class
            WHERE oid = target AND relkind = 'r' AND relnamespace = 'public'::regnamespace
        ) THEN
            RAISE EXCEPTION 'steward_analyze: % is not an application table', target
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        EXECUTE format('ANALYZE %s', target);
    END;
    $$
    """,
    "REVOKE ALL ON FUNCTION steward_analyze(regclass) FROM PUBLIC",
]


def analyze_tables(*tables: str) -> None:
    """Refresh the planner's statistics of ``tables`` now, in the current
    transaction, whichever role is connected (PostgreSQL only; a no-op elsewhere)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT steward_analyze(%s::regclass)", [table])


def app_role_grant_sql(app_role: str) -> list[str]:
    """What the application role may do, and no more: rows only (no TRUNCATE,
    REFERENCES or TRIGGER; no DDL, which only the owner has), INSERT and SELECT
    on the audit table. Default privileges give tables created by later
    migrations the same grants."""
    role = connection.ops.quote_name(app_role)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE ON {AUDIT_TABLE} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        f"GRANT EXECUTE ON FUNCTION steward_analyze(regclass) TO {role}",
    ]


def _grant_to_app_role(cursor, app_role: str) -> None:
    """Run by the owner's ``migrate``. Connected as the app role itself (a legacy
    setup where it owns the tables) there is nothing it could safely grant."""
    cursor.execute(
        "SELECT current_user, EXISTS (SELECT FROM pg_roles WHERE rolname = %s),"
        " (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public')",
        [app_role],
    )
    current, exists, schema_owner = cursor.fetchone()
    if not exists or current == app_role:
        return
    for statement in app_role_grant_sql(app_role):
        cursor.execute(statement)
    if schema_owner == current:
        # PostgreSQL < 15 lets every role create tables in public.
        cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")


def apply_row_level_security(sender=None, using: str = "default", **kwargs) -> None:
    """post_migrate receiver; runs once, when the tenancy app's signal arrives.

    ``migrate`` runs as the owner role (the tables' owner); the application
    role (``settings.DATABASE_APP_ROLE``) then gets row privileges only."""
    if sender is not None and getattr(sender, "name", None) != "tenancy":
        return
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return  # SQLite (the demo) has no row-level security; the managers still scope.
    existing = set(conn.introspection.table_names())
    # One transaction: a running application never sees the grants half-applied.
    with transaction.atomic(using=using), conn.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(bool_and(pg_has_role(current_user, relowner, 'USAGE')), true)"
            " FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
            [sorted(existing & {*tenant_tables(), AUDIT_TABLE})],
        )
        if not cursor.fetchone()[0]:
            # Not the owner (the app role, e.g. post_migrate after a test flush):
            # the policies persist from the owner's migrate; it may not touch them.
            return
        for table in tenant_tables():
            if table in existing:
                for statement in policy_sql(table):
                    cursor.execute(statement)
        if AUDIT_TABLE in existing:
            for statement in APPEND_ONLY_SQL:
                cursor.execute(statement)
        for statement in ANALYZE_FUNCTION_SQL:
            cursor.execute(statement)
        _grant_to_app_role(cursor, settings.DATABASE_APP_ROLE)
