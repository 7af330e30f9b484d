"""Time the risk desk /risk/ for demo_risk (whole bank) and demo_head (branch
subtree) against the demo bank (``seed_demo``). A measurement, not a test:

    DATABASE_URL=postgres://... python manage.py shell -c "exec(open('scripts/bench_desk.py').read())"

Besides the wall clock (median and minimum of ``RUNS`` requests after three to
warm up) it prints the CPU time per request of this process (Python) and of
its PostgreSQL backend (``/proc/<pid>/stat``, when the database runs on this
machine): on a loaded machine the wall clock mostly measures the other work,
the CPU time much less so. (Unlike bench_pages.py, the timed requests run
without CaptureQueriesContext; one more request counts the queries.)
"""

import os
import statistics
import time

from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext

from tenancy.context import tenant_scope
from tenancy.models import Tenant, User

RUNS = int(os.environ.get("RUNS", "20"))
TCK = os.sysconf("SC_CLK_TCK")
tenant = Tenant.objects.get(slug="demo")
with tenant_scope(tenant):
    users = {u.username: u for u in User.objects.filter(username__in=["demo_risk", "demo_head"])}


def backend_cpu():
    with connection.cursor() as c:
        c.execute("select pg_backend_pid()")
        pid = c.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:  # the database runs elsewhere
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / TCK


for username in ("demo_risk", "demo_head"):
    web = WebClient()
    web.force_login(users[username])
    for _ in range(3):
        web.get("/risk/")
    walls = []
    b0 = backend_cpu()
    p0 = time.process_time()
    for _ in range(RUNS):
        t0 = time.perf_counter()
        r = web.get("/risk/")
        walls.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    p1 = time.process_time()
    b1 = backend_cpu()
    py = (p1 - p0) * 1000 / RUNS
    pg = (b1 - b0) * 1000 / RUNS
    with CaptureQueriesContext(connection) as ctx:
        web.get("/risk/")
    print(
        f"{username:<10} {len(ctx.captured_queries)} queries,"
        f" wall median {statistics.median(walls):5.0f} ms, min {min(walls):5.0f}"
        f" | cpu per request: python {py:5.1f} + postgres {pg:5.1f} = {py + pg:5.1f} ms"
    )
