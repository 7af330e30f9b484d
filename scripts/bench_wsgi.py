"""The WSGI application `make bench` serves with gunicorn: Steward itself,
plus two things only the benchmark needs, kept out of the product's URLs:

- every response carries ``X-Bench-Queries``, the number of SQL statements
  the request ran (counted with ``connection.execute_wrapper``);
- ``/__bench__/floor/rm-clients/?tenant=<id>&rm=<id>`` is the floor of the RM
  client list: one hand-written SQL query for the same 50 rows and columns
  the page shows, rendered by string joins — no session, no middleware, no
  template. The page's time ÷ the floor's time is the overhead the framework
  and our code add (issue 12 asks for ≤ 2×).

    gunicorn --pythonpath scripts bench_wsgi:application
"""

from __future__ import annotations

import html
import os
from urllib.parse import parse_qs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, transaction  # noqa: E402

django_application = get_wsgi_application()

FLOOR_PATH = "/__bench__/floor/rm-clients/"

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


def _floor(environ, start_response):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    tenant_id, rm_id = int(query["tenant"][0]), int(query["rm"][0])
    with transaction.atomic(), connection.cursor() as cursor:
        # row-level security reads the tenant from this transaction-local setting
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        cursor.execute(FLOOR_SQL, [tenant_id, rm_id, rm_id])
        rows = cursor.fetchall()
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    payload = f"<!doctype html><table>{body}</table>".encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(payload))),
            ("X-Bench-Queries", "2"),
        ],
    )
    return [payload]


def application(environ, start_response):
    if environ.get("PATH_INFO") == FLOOR_PATH:
        return _floor(environ, start_response)
    count = [0]

    def counting(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    def start(status, headers, exc_info=None):
        # Django calls this once the response is built (pages are not streamed)
        return start_response(status, [*headers, ("X-Bench-Queries", str(count[0]))], exc_info)

    with connection.execute_wrapper(counting):
        return django_application(environ, start)
