"""Client names sort by pinyin on PostgreSQL (ICU collation ``steward_pinyin``).

The collation is created here: ICU's ``zh-u-co-pinyin`` where the server has
ICU; otherwise a copy of "C", so the migration still applies and names keep
code point order (as on SQLite). Changing the column's collation rebuilds its
indexes (``client_tenant_name`` and the trigram index of 0003) under it.
"""

from django.db import migrations

import clients.models.fields

COLLATION = clients.models.fields.PINYIN_COLLATION


def create_collation(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    from django.db import DatabaseError, transaction

    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [COLLATION])
        if cursor.fetchone():
            return
    try:
        with transaction.atomic(using=conn.alias):  # a savepoint: a server without ICU refuses
            with conn.cursor() as cursor:
                cursor.execute(
                    f'CREATE COLLATION "{COLLATION}" (provider = icu, locale = \'zh-u-co-pinyin\')'
                )
    except DatabaseError:
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE COLLATION "{COLLATION}" FROM "C"')


def drop_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP COLLATION IF EXISTS "{COLLATION}"')


class Migration(migrations.Migration):
    dependencies = [("clients", "0101_merge_0003_core_name_trigram_0100_portfolio_models")]

    operations = [
        migrations.RunPython(create_collation, drop_collation),
        migrations.AlterField(
            model_name="client",
            name="name",
            field=clients.models.fields.PinyinCharField(max_length=200, verbose_name="name"),
        ),
    ]
