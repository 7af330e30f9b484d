"""The branch of the client when each assessment was approved (override rates
per branch); 0006 fills it for the approvals made before."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0004_desk_indexes"),
        ("tenancy", "0004_merge_0003_api_tokens_two_factor_0003_user_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskassessment",
            name="approved_branch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="tenancy.branch",
                verbose_name="branch when approved",
            ),
        ),
    ]
