"""The branch of approvals made before 0005: their client's branch of today,
the best the data knows. A migration of its own: 0005's foreign key is added
when that migration ends, and validating it against rows written before
would read the branches under row-level security with no tenant set."""

from django.db import migrations

SQL = (
    "UPDATE risk_riskassessment SET approved_branch_id = "
    "(SELECT c.branch_id FROM clients_client c WHERE c.id = risk_riskassessment.client_id) "
    "WHERE status = 'approved' AND approved_branch_id IS NULL"
)


def backfill(apps, schema_editor):
    """Tenant by tenant: the tables' row-level security binds the owner too."""
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor != "postgresql":
            cursor.execute(SQL)
            return
        cursor.execute("SELECT id FROM tenancy_tenant ORDER BY id")
        for (tenant_id,) in cursor.fetchall():
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            cursor.execute(SQL)
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [("risk", "0005_assessment_approved_branch")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
