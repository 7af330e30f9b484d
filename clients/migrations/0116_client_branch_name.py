"""A branch subtree's clients in name order (issue 12): a branch head's client
list and My day's quick-log choices read their first page from this index
(4.5 ms → 0.3 ms for the choices at 100,000 clients) instead of walking the
bank's whole ``client_tenant_name`` and dropping the other branches' rows."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0115_team_revisit_index"),
        ("tenancy", "0005_tenant_directory_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=["tenant", "branch", "name", "id"], name="client_branch_name"
            ),
        ),
    ]
