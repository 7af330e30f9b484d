import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django's system checks run where the code is deployed: `manage.py migrate`
# runs them (the compose file's `migrate` service, before web and worker
# start), as does `manage.py check --deploy`. A worker running them again at
# each start imports the URL configuration and the migration machinery before
# its first task: on the bench a worker at rest held 114.5 MiB with them,
# 105.4 without, and 123.4 / 120.3 MiB after every nightly job had run once
# (docs/BENCHMARKS.md). Set CELERY_SKIP_CHECKS to an empty value to run them.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("steward")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
