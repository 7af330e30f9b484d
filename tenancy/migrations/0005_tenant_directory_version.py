"""Tenant.directory_version: bumped by triggers whenever the tenant's branches
or its staff's names, roles, branches or status change, so the filter options
built from them (tenancy.directory) can be kept per process and rebuilt only
when they changed — the tenant row is read on every request anyway.

Row-level triggers on both databases (staff and branch writes are few; a bulk
write bumps once per row, which is harmless). An UPDATE bumps only when one of
the listed columns really changed (a login's ``last_login``, a language choice
do not). A trigger takes the tenant row's lock, which the audit record of every
staff and branch change takes in the same transaction anyway (the project's
lock order: the tenant row last)."""

from django.db import migrations, models

BRANCH_COLUMNS = ("name", "path", "parent_id", "tenant_id")
USER_COLUMNS = ("username", "first_name", "last_name", "role", "is_active", "branch_id", "tenant_id")
TABLES = {"tenancy_branch": BRANCH_COLUMNS, "tenancy_user": USER_COLUMNS}
BUMP = "UPDATE tenancy_tenant SET directory_version = directory_version + 1 WHERE id = {}"


def _changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def _sqlite(table, columns) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    return [
        f"CREATE TRIGGER {table}_directory_ins AFTER INSERT ON {table} FOR EACH ROW"
        f" WHEN NEW.tenant_id IS NOT NULL BEGIN {BUMP.format('NEW.tenant_id')}; END",
        f"CREATE TRIGGER {table}_directory_del AFTER DELETE ON {table} FOR EACH ROW"
        f" WHEN OLD.tenant_id IS NOT NULL BEGIN {BUMP.format('OLD.tenant_id')}; END",
        f"CREATE TRIGGER {table}_directory_upd AFTER UPDATE ON {table} FOR EACH ROW"
        f" WHEN {changed} BEGIN"
        f" UPDATE tenancy_tenant SET directory_version = directory_version + 1"
        f" WHERE id IN (OLD.tenant_id, NEW.tenant_id); END",
    ]


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION tenancy_directory_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.tenant_id IS NOT NULL THEN
    UPDATE tenancy_tenant SET directory_version = directory_version + 1 WHERE id = OLD.tenant_id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.tenant_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id) THEN
    UPDATE tenancy_tenant SET directory_version = directory_version + 1 WHERE id = NEW.tenant_id;
  END IF;
  RETURN NULL;
END $$
"""


def _postgres(table, columns) -> list[str]:
    run = "FOR EACH ROW EXECUTE FUNCTION tenancy_directory_changed()"
    return [
        f"CREATE TRIGGER {table}_directory_ins_del AFTER INSERT OR DELETE ON {table} {run}",
        f"CREATE TRIGGER {table}_directory_upd AFTER UPDATE ON {table}"
        f" FOR EACH ROW WHEN ({_changed(columns)}) EXECUTE FUNCTION tenancy_directory_changed()",
    ]


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    statements = [PG_FUNCTION] if postgres else []
    for table, columns in TABLES.items():
        statements += _postgres(table, columns) if postgres else _sqlite(table, columns)
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in TABLES:
        names = ("ins_del", "upd") if postgres else ("ins", "del", "upd")
        for name in names:
            on = f" ON {table}" if postgres else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_directory_{name}{on}")
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS tenancy_directory_changed()")


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0004_merge_0003_api_tokens_two_factor_0003_user_language")]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="directory_version",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create, drop),
    ]
