"""Time pages and the clients API against the demo bank (``seed_demo``), with
query counts. A measurement, not a test:

    DATABASE_URL=postgres://... python manage.py shell -c "exec(open('scripts/bench_pages.py').read())"

Each URL is requested once to warm up, then ``RUNS`` times; the median and the
query count of the last run are printed.
"""

import statistics
import time

from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext

from clients.models import Client, Transaction
from communications.models import Interaction
from loyalty.models import Event
from risk.models import ClientRating, Collateral
from tenancy.context import tenant_scope
from tenancy.models import Tenant, User

RUNS = 5
tenant = Tenant.objects.get(slug="demo")
with tenant_scope(tenant):
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["demo_rm", "demo_head", "demo_admin", "demo_compliance", "demo_risk"]
        )
    }
    activity = Client.objects.annotate(
        n_int=Subquery(
            Interaction.objects.filter(client=OuterRef("pk"))
            .order_by()
            .values("client")
            .annotate(c=Count("pk"))
            .values("c")
        ),
        n_txn=Subquery(
            Transaction.objects.filter(client=OuterRef("pk"))
            .order_by()
            .values("client")
            .annotate(c=Count("pk"))
            .values("c")
        ),
    ).annotate(total=Coalesce(F("n_int"), 0) + Coalesce(F("n_txn"), 0))
    busiest = activity.order_by("-total", "pk").values_list("pk", "n_int", "n_txn").first()
    rm_busiest = (
        activity.filter(dedicated_manager=users["demo_rm"])
        .order_by("-total", "pk")
        .values_list("pk", "n_int", "n_txn")
        .first()
    )
    # risk: a rated client with collateral, the one with the most collateral rows
    risk_client = (
        Collateral.objects.filter(
            client_id__in=ClientRating.objects.values("client_id"), guarantor_client__isnull=True
        )
        .values("client_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "client_id")
        .values_list("client_id", "n")
        .first()
    )

    # events: the one with the most invitations (the event page lists them and the suggestions)
    big_event = (
        Event.objects.annotate(n=Count("invitations"))
        .order_by("-n", "pk")
        .values_list("pk", "n")
        .first()
    )

CASES = [
    ("client list (first page)", "demo_rm", "/clients/"),
    ("client list (first page)", "demo_head", "/clients/"),
    ("client list (first page)", "demo_admin", "/clients/"),
    ("client list, sorted by AUM desc", "demo_admin", "/clients/?sort=-aum"),
    (
        "client list, name search 王 (1 character: no trigram)",
        "demo_admin",
        "/clients/?q=%E7%8E%8B",
    ),
    ("client list, name search Smith", "demo_admin", "/clients/?q=Smith"),
    (
        "client list, name search 科技有限",
        "demo_admin",
        "/clients/?q=%E7%A7%91%E6%8A%80%E6%9C%89%E9%99%90",
    ),
    (
        f"360° page, demo_rm's busiest client ({rm_busiest[1]} interactions, {rm_busiest[2]} transactions)",
        "demo_rm",
        f"/clients/{rm_busiest[0]}/",
    ),
    (
        f"360° page, busiest client of the bank ({busiest[1]} interactions, {busiest[2]} transactions)",
        "demo_admin",
        f"/clients/{busiest[0]}/",
    ),
    ("My day", "demo_rm", "/"),
    ("client list (first page)", "demo_compliance", "/clients/"),
    ("GET /api/v1/clients/", "demo_admin", "/api/v1/clients/"),
    ("GET /api/v1/clients/", "demo_rm", "/api/v1/clients/"),
    ("risk desk", "demo_risk", "/risk/"),
    ("risk desk", "demo_head", "/risk/"),
    ("review calendar (first page)", "demo_risk", "/risk/calendar/"),
    (
        f"360° page, rated client with collateral ({risk_client[1]} items, risk section)",
        "demo_risk",
        f"/clients/{risk_client[0]}/",
    ),
    ("loyalty dashboard", "demo_admin", "/loyalty/"),
    ("loyalty dashboard", "demo_head", "/loyalty/"),
    ("loyalty dashboard", "demo_rm", "/loyalty/"),
    ("points liability", "demo_admin", "/loyalty/points/liability/"),
    ("rewards catalogue", "demo_admin", "/loyalty/rewards/"),
    ("events list (upcoming)", "demo_rm", "/loyalty/events/"),
    ("events list (past)", "demo_admin", "/loyalty/events/?when=past"),
    (
        f"event page, the largest event ({big_event[1]} invitations, suggestions)",
        "demo_admin",
        f"/loyalty/events/{big_event[0]}/",
    ),
    (
        "event page (an RM: own clients' invitations, suggestions)",
        "demo_rm",
        f"/loyalty/events/{big_event[0]}/",
    ),
    ("event check-in page", "demo_admin", f"/loyalty/events/{big_event[0]}/check-in/"),
    (
        "GET /api/v1/clients/<id>/exposure/ (same client)",
        "demo_risk",
        f"/api/v1/clients/{risk_client[0]}/exposure/",
    ),
]

print(f"{'what':<70} {'user':<11} {'median ms':>9} {'min ms':>7} {'queries':>7}")
for label, username, url in CASES:
    web = WebClient()
    web.force_login(users[username])
    assert web.get(url).status_code == 200, (url, username)
    took = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = web.get(url)
            took.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    print(
        f"{label:<70} {username:<11} {statistics.median(took):9.0f} {min(took):7.0f} {len(ctx.captured_queries):7d}"
    )
