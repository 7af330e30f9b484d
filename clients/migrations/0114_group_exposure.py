"""RelationshipGroup.exposure: the sum of its members' exposure, kept by
triggers on every change of a member's exposure and of the membership, so the
risk desk reads the largest group exposures from an index instead of summing
every member of every group on each request (issue 9).

PostgreSQL: statement-level triggers with transition tables (one UPDATE of the
affected groups per statement, also for bulk recomputes of 100,000 clients).
SQLite (`make demo`): row-level triggers doing the same per row. Both recompute
the affected groups' sums in full, never incrementally, so they cannot drift.
Row-level security: a trigger runs in the writing statement's tenant scope and
updates that tenant's groups; the backfill sets each tenant in turn."""

from decimal import Decimal

from django.db import migrations, models

# The groups in AFFECTED (a query of group ids) get the sum of their members'
# exposure, computed afresh.
RECOMPUTE = """
    UPDATE clients_relationshipgroup SET exposure = COALESCE((
        SELECT sum(c.exposure) FROM clients_groupmembership m
          JOIN clients_client c ON c.id = m.client_id
         WHERE m.group_id = clients_relationshipgroup.id), 0)
     WHERE id IN ({affected})
"""

PG_TRIGGERS = [
    f"""
    CREATE OR REPLACE FUNCTION clients_group_exposure_members_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {
        RECOMPUTE.format(
            affected='''
        SELECT m.group_id FROM clients_groupmembership m
          JOIN new_rows n ON n.id = m.client_id
          JOIN old_rows o ON o.id = n.id
         WHERE n.exposure IS DISTINCT FROM o.exposure'''
        )
    };
      RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION clients_group_exposure_joined() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {RECOMPUTE.format(affected="SELECT group_id FROM new_rows")};
      RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION clients_group_exposure_left() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {RECOMPUTE.format(affected="SELECT group_id FROM old_rows")};
      RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION clients_group_exposure_moved() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {RECOMPUTE.format(affected="SELECT group_id FROM old_rows UNION SELECT group_id FROM new_rows")};
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER clients_group_exposure_client AFTER UPDATE ON clients_client
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_group_exposure_members_changed()
    """,
    """
    CREATE TRIGGER clients_group_exposure_join AFTER INSERT ON clients_groupmembership
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_group_exposure_joined()
    """,
    """
    CREATE TRIGGER clients_group_exposure_leave AFTER DELETE ON clients_groupmembership
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_group_exposure_left()
    """,
    """
    CREATE TRIGGER clients_group_exposure_move AFTER UPDATE ON clients_groupmembership
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_group_exposure_moved()
    """,
]

PG_UNDO = [
    "DROP TRIGGER IF EXISTS clients_group_exposure_client ON clients_client",
    "DROP TRIGGER IF EXISTS clients_group_exposure_join ON clients_groupmembership",
    "DROP TRIGGER IF EXISTS clients_group_exposure_leave ON clients_groupmembership",
    "DROP TRIGGER IF EXISTS clients_group_exposure_move ON clients_groupmembership",
    "DROP FUNCTION IF EXISTS clients_group_exposure_members_changed()",
    "DROP FUNCTION IF EXISTS clients_group_exposure_joined()",
    "DROP FUNCTION IF EXISTS clients_group_exposure_left()",
    "DROP FUNCTION IF EXISTS clients_group_exposure_moved()",
]

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER clients_group_exposure_client AFTER UPDATE OF exposure ON clients_client
    FOR EACH ROW WHEN NEW.exposure IS NOT OLD.exposure BEGIN
      {RECOMPUTE.format(affected="SELECT group_id FROM clients_groupmembership WHERE client_id = NEW.id")};
    END
    """,
    f"""
    CREATE TRIGGER clients_group_exposure_join AFTER INSERT ON clients_groupmembership
    FOR EACH ROW BEGIN {RECOMPUTE.format(affected="NEW.group_id")}; END
    """,
    f"""
    CREATE TRIGGER clients_group_exposure_leave AFTER DELETE ON clients_groupmembership
    FOR EACH ROW BEGIN {RECOMPUTE.format(affected="OLD.group_id")}; END
    """,
    f"""
    CREATE TRIGGER clients_group_exposure_move AFTER UPDATE ON clients_groupmembership
    FOR EACH ROW BEGIN {RECOMPUTE.format(affected="OLD.group_id, NEW.group_id")}; END
    """,
]

SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS clients_group_exposure_client",
    "DROP TRIGGER IF EXISTS clients_group_exposure_join",
    "DROP TRIGGER IF EXISTS clients_group_exposure_leave",
    "DROP TRIGGER IF EXISTS clients_group_exposure_move",
]


def _run(pg, sqlite):
    def run(apps, schema_editor):
        statements = pg if schema_editor.connection.vendor == "postgresql" else sqlite
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


def backfill(apps, schema_editor):
    """The sums of the groups already there, tenant by tenant (row-level
    security binds the owner running this migration too)."""
    everything = RECOMPUTE.format(affected="SELECT id FROM clients_relationshipgroup")
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor != "postgresql":
            cursor.execute(everything)
            return
        cursor.execute("SELECT id FROM tenancy_tenant ORDER BY id")
        for (tenant_id,) in cursor.fetchall():
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            cursor.execute(everything)
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [("clients", "0113_desk_indexes")]

    operations = [
        migrations.AddField(
            model_name="relationshipgroup",
            name="exposure",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                db_default=Decimal("0"),
                editable=False,
                max_digits=22,
                verbose_name="group exposure",
            ),
        ),
        migrations.AddIndex(
            model_name="relationshipgroup",
            index=models.Index(
                models.F("tenant"),
                models.F("exposure").desc(),
                models.F("id"),
                name="relgroup_tenant_exposure",
                condition=models.Q(exposure__gt=0),
            ),
        ),
        migrations.RunPython(_run(PG_TRIGGERS, SQLITE_TRIGGERS), _run(PG_UNDO, SQLITE_UNDO)),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
