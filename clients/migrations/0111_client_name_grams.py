"""The name-search grams (clients/models/search.py): the table and the
triggers that keep it (0112 fills it for the clients that exist already)."""

import django.db.models.deletion
from django.db import migrations, models

# Every one- and two-character piece of the upper-cased name of each client
# in NEW_ROWS (a transition table), once per client.
GRAMS_OF_NEW_ROWS = """
    INSERT INTO clients_clientnamegram (tenant_id, gram, client_id)
    SELECT DISTINCT n.tenant_id, substr(u.name, i.at, k.len), n.id
      FROM new_rows n
     CROSS JOIN LATERAL (SELECT upper(n.name) AS name) u
     CROSS JOIN LATERAL generate_series(1, length(u.name)) AS i(at)
     CROSS JOIN (VALUES (1), (2)) AS k(len)
     WHERE i.at + k.len - 1 <= length(u.name)
"""

TRIGGERS = [
    f"""
    CREATE OR REPLACE FUNCTION clients_name_grams_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {GRAMS_OF_NEW_ROWS};
      RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION clients_name_grams_renamed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM clients_clientnamegram g
       USING old_rows o JOIN new_rows n ON n.id = o.id
       WHERE g.client_id = o.id AND n.name IS DISTINCT FROM o.name;
      WITH new_rows AS (
        SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.name IS DISTINCT FROM o.name
      ) {GRAMS_OF_NEW_ROWS};
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER clients_name_grams_insert AFTER INSERT ON clients_client
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_name_grams_inserted()
    """,
    """
    CREATE TRIGGER clients_name_grams_update AFTER UPDATE ON clients_client
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_name_grams_renamed()
    """,
]

UNDO = [
    "DROP TRIGGER IF EXISTS clients_name_grams_insert ON clients_client",
    "DROP TRIGGER IF EXISTS clients_name_grams_update ON clients_client",
    "DROP FUNCTION IF EXISTS clients_name_grams_inserted()",
    "DROP FUNCTION IF EXISTS clients_name_grams_renamed()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0110_client_last_contact_index_nulls_first"),
        ("tenancy", "0004_merge_0003_api_tokens_two_factor_0003_user_language"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientNameGram",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "tenant",
                        "gram",
                        "client",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("gram", models.CharField(max_length=2, verbose_name="name piece")),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="clients.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "client name piece",
                "verbose_name_plural": "client name pieces",
            },
        ),
        migrations.RunPython(_run(TRIGGERS), _run(UNDO)),
    ]
