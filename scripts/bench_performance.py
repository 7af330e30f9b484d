"""Time the performance pages against the demo bank, with query counts. A
measurement, not a test:

    python manage.py kpi_snapshot --tenant demo      # snapshots first
    DATABASE_URL=postgres://... python manage.py shell -c "exec(open('scripts/bench_performance.py').read())"

Each URL is requested once to warm up, then ``RUNS`` times; p50, p95 and the
query count of the last run are printed.
"""

import statistics
import time

from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext

from performance import periods
from tenancy.context import tenant_scope
from tenancy.models import Tenant, User

RUNS = 40
tenant = Tenant.objects.get(slug="demo")
with tenant_scope(tenant):
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["demo_rm", "demo_head", "demo_admin"])
    }
    period = periods.current_period()
    head = users["demo_head"]
    branch_id = head.branch_id

drill = f"scope=branch&subject={branch_id}&period={period}"
CASES = [
    ("dashboard: the subtree's RMs ranked", "demo_head", "/performance/"),
    ("dashboard: branches compared", "demo_admin", "/performance/"),
    ("dashboard: every RM of the bank", "demo_admin", "/performance/?view=rm"),
    ("RM scorecard explained", "demo_rm", "/performance/"),
    ("drill: detractors of the branch", "demo_head", f"/performance/drill/detractors/?{drill}"),
    (
        "drill: overdue follow-ups of the branch",
        "demo_head",
        f"/performance/drill/followups_overdue/?{drill}",
    ),
    (
        "drill: overdue reviews of the branch",
        "demo_head",
        f"/performance/drill/reviews_overdue/?{drill}",
    ),
    (
        "drill: lost key clients of the branch",
        "demo_head",
        f"/performance/drill/lost_clients/?{drill}",
    ),
    ("drill: top revenue of the branch", "demo_head", f"/performance/drill/top_revenue/?{drill}"),
]
for label, username, url in CASES:
    web = WebClient()
    web.force_login(users[username])
    assert web.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = web.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{label:45} {username:11} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {len(ctx.captured_queries)} queries"
    )
