"""The name-search grams of the clients that existed before 0111's triggers.

A migration of its own: Django adds 0111's foreign keys when that migration
ends, and validating them against rows written before would read the clients
table under its row-level security (which binds the owner running
migrations) with no tenant set, and find no client."""

from django.db import migrations

# as in 0111 (a migration keeps its own copy)
GRAMS_OF_NEW_ROWS = """
    INSERT INTO clients_clientnamegram (tenant_id, gram, client_id)
    SELECT DISTINCT n.tenant_id, substr(u.name, i.at, k.len), n.id
      FROM new_rows n
     CROSS JOIN LATERAL (SELECT upper(n.name) AS name) u
     CROSS JOIN LATERAL generate_series(1, length(u.name)) AS i(at)
     CROSS JOIN (VALUES (1), (2)) AS k(len)
     WHERE i.at + k.len - 1 <= length(u.name)
"""


def backfill(apps, schema_editor):
    """The grams of the clients already there, tenant by tenant: the clients
    table's row-level security binds the owner running this migration too."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM tenancy_tenant ORDER BY id")
        for (tenant_id,) in cursor.fetchall():
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            cursor.execute(
                "WITH new_rows AS (SELECT id, tenant_id, name FROM clients_client) "
                + GRAMS_OF_NEW_ROWS
            )
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [("clients", "0111_client_name_grams")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
