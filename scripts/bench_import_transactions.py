"""Re-time the transactions CSV of the latest ``bench_clients`` run in its tenant
(a measurement, not a test; bench databases only):

    DATABASE_URL=postgres://.../bench_followup python manage.py shell -c "exec(open('scripts/bench_import_transactions.py').read())"

Deletes the bench tenant's transactions, then runs var/bench/transactions.csv as dry
run, import and re-import (ANALYZE after each real run, as autovacuum would).
"""

import time

from django.db import connection

from clients.imports import import_run
from clients.models import Transaction
from tenancy.context import tenant_scope
from tenancy.models import Role, Tenant, User

tenant = Tenant.objects.filter(slug__startswith="bench-").order_by("-pk").first()
assert tenant is not None, "run bench_clients first"
with tenant_scope(tenant):
    admin = User.objects.get(tenant=tenant, role=Role.ADMIN)
    t0 = time.perf_counter()
    Transaction.objects.all()._raw_delete(Transaction.objects.db)
    print(f"cleared in {time.perf_counter() - t0:.1f}s (not counted)", flush=True)
with connection.cursor() as cursor:
    cursor.execute("ANALYZE clients_transaction")
for label, dry in (("dry run", True), ("import", False), ("re-import", False)):
    with tenant_scope(tenant):
        t0 = time.perf_counter()
        with open("var/bench/transactions.csv", "rb") as f:
            report = import_run(
                actor=admin,
                kind="transactions",
                stream=f,
                dry_run=dry,
                file_name="transactions.csv",
            )
        print(
            f"transactions {label:<9} {time.perf_counter() - t0:7.1f}s created={report.created} "
            f"unchanged={report.unchanged} errors={len(report.errors)}",
            flush=True,
        )
    if not dry:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
