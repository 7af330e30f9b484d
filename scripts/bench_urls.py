"""The URLs of `make bench`'s gunicorn (scripts/bench_wsgi.py sets
``ROOT_URLCONF`` to this module there, and only there): Steward's own plus the
view floor of the RM client list, ``/__bench__/view/rm-clients/?rm=<id>``.

The view floor is one hand-written SQL query for the 50 rows and columns of
the RM's first page of ``/clients/``, rendered by string joins, in a bare
Django view behind the same middleware as every page (session,
authentication, tenant scope, two-factor check): what a request costs before
any of our ORM, access policy or templates run — issue 12's "one hand-written
SQL query in a bare view". A page's time ÷ this floor's time is what our code
adds (issue 12 asks for ≤ 2×).
"""

from __future__ import annotations

import html

from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden
from django.urls import include, path

VIEW_FLOOR_PATH = "/__bench__/view/rm-clients/"

# the RM's first page of /clients/: their clients (dedicated or backup), by
# name, with the columns of the list
FLOOR_SQL = """
SELECT c.id, c.name, c.external_id, c.tier, c.aum, b.name,
       COALESCE(u.last_name || u.first_name, ''), c.lifecycle, c.risk_tolerance,
       c.last_contacted_at
  FROM clients_client c
  JOIN tenancy_branch b ON b.id = c.branch_id
  LEFT JOIN tenancy_user u ON u.id = c.dedicated_manager_id
 WHERE c.tenant_id = %s AND (c.dedicated_manager_id = %s OR c.backup_manager_id = %s)
 ORDER BY c.name, c.id
 LIMIT 50
"""


def table(rows) -> bytes:
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<!doctype html><table>{body}</table>".encode()


def view_floor(request):
    """The tenant middleware has scoped the request (row-level security) to
    the signed-in user's tenant; the query names it as the page's does."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    rm_id = int(request.GET["rm"])
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [request.user.tenant_id, rm_id, rm_id])
        rows = cursor.fetchall()
    return HttpResponse(table(rows))


urlpatterns = [
    path(VIEW_FLOOR_PATH.strip("/") + "/", view_floor),
    path("", include("config.urls")),
]
