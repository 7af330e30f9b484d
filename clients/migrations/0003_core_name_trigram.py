"""A trigram index for "name contains" search on the client list (PostgreSQL).

pg_trgm is a trusted extension (PG 13+): a database owner may create it
without superuser rights. Where the role may not, or on SQLite (the demo),
the search still works, just without this index.
"""

from django.db import migrations

INDEX = "client_name_trgm"


def create(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(using=conn.alias):  # a savepoint: a refusal must not abort the migration
            with conn.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                # Django's icontains on PostgreSQL is UPPER(col::text) LIKE UPPER(...)
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {INDEX} ON clients_client "
                    "USING gin ((UPPER(name::text)) gin_trgm_ops)"
                )
    except DatabaseError:
        pass


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_core_relationships_coverage")]

    operations = [migrations.RunPython(create, drop)]
