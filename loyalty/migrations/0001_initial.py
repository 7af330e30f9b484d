# The app's first migration is empty on purpose: each part of loyalty
# (surveys, points, events) adds its own migration after this one.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies: list = []

    operations: list = []
