"""The WSGI application `make bench` serves with gunicorn: Steward itself,
plus what only the benchmark needs, kept out of the product's URLs:

- every response carries ``X-Bench-Queries``, the number of SQL statements
  the request ran (counted with ``connection.execute_wrapper``);
- ``/__bench__/floor/rm-clients/?tenant=<id>&rm=<id>`` is the bare floor of
  the RM client list: one hand-written SQL query for the same 50 rows and
  columns the page shows, rendered by string joins — no session, no
  middleware, no template, no Django at all;
- ``/__bench__/view/rm-clients/?rm=<id>`` is the same query and the same
  string joins in a bare Django view behind the same middleware as every page
  (session, authentication, tenant scope, two-factor check): what a request
  costs before any of our ORM, access policy or templates run. Issue 12's
  "one hand-written SQL query in a bare view" floor; a page's time ÷ this
  floor's time is what our code adds (issue 12 asks for ≤ 2×).

    gunicorn --pythonpath scripts bench_wsgi:application
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_urls, also when loaded by path

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, transaction  # noqa: E402

django_application = get_wsgi_application()

from bench_urls import FLOOR_SQL, table  # noqa: E402  (after Django's setup)

FLOOR_PATH = "/__bench__/floor/rm-clients/"


def _floor(environ, start_response):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    tenant_id, rm_id = int(query["tenant"][0]), int(query["rm"][0])
    with transaction.atomic(), connection.cursor() as cursor:
        # row-level security reads the tenant from this transaction-local setting
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        cursor.execute(FLOOR_SQL, [tenant_id, rm_id, rm_id])
        rows = cursor.fetchall()
    payload = table(rows)
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(payload))),
            ("X-Bench-Queries", "2"),
        ],
    )
    return [payload]


if os.environ.get("BENCH_SERVER"):  # the gunicorn of make bench: the view floor's URL too
    settings.ROOT_URLCONF = "bench_urls"


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
