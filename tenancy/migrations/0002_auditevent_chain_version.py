"""The keyed audit chain. Existing events keep their unkeyed SHA-256 and are
marked chain_version 1 (verified as such, and only before the first keyed
event, whose HMAC covers the last unkeyed hash); new events are version 2.
History is not rewritten: re-keying old events would bless whatever they
contain today."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain_version",
            field=models.SmallIntegerField(default=1, editable=False),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="chain_version",
            field=models.SmallIntegerField(default=2, editable=False),
        ),
    ]
