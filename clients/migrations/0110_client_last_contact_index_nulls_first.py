"""The last-contacted index in (tenant, last contacted NULLS FIRST, id) order.

SQLite (``make demo``) cannot create an index with NULLS FIRST: there it
keeps a plain (tenant, last contacted, id) index; the model state is the
PostgreSQL one either way."""

from django.conf import settings
from django.db import migrations, models

INDEX = models.Index(
    models.F("tenant"),
    models.OrderBy(models.F("last_contacted_at"), nulls_first=True),
    models.F("id"),
    name="client_tenant_lastcontact",
)
PLAIN = models.Index(fields=["tenant", "last_contacted_at", "id"], name="client_tenant_lastcontact")
OLD = models.Index(fields=["tenant", "last_contacted_at"], name="client_tenant_lastcontact")


def _for_vendor(schema_editor):
    return INDEX if schema_editor.connection.vendor == "postgresql" else PLAIN


def forwards(apps, schema_editor):
    client = apps.get_model("clients", "Client")
    schema_editor.remove_index(client, OLD)
    schema_editor.add_index(client, _for_vendor(schema_editor))


def backwards(apps, schema_editor):
    client = apps.get_model("clients", "Client")
    schema_editor.remove_index(client, _for_vendor(schema_editor))
    schema_editor.add_index(client, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0109_client_branch_index_includes_tier"),
        ("tenancy", "0004_merge_0003_api_tokens_two_factor_0003_user_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="client", name="client_tenant_lastcontact"),
                migrations.AddIndex(model_name="client", index=INDEX),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
