"""`make bench` (scripts/bench.py) measures pages against a floor view and
reads query counts from a header its WSGI wrapper adds. Timings are not
tested; what is: the floor returns the same rows as the RM's client list
(else the page ÷ floor ratio compares different work) and the query count is
the one the request ran."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest
from django.core import signals
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClientFactory

from .conftest import postgres_only

pytestmark = [pytest.mark.django_db, postgres_only()]

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _bench_wsgi():
    spec = importlib.util.spec_from_file_location("bench_wsgi", SCRIPTS / "bench_wsgi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """A WSGI request closes the database connection when it ends; the test's
    transaction lives on it (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _call(app, path, query="", cookie=""):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    if cookie:
        environ["HTTP_COOKIE"] = f"sessionid={cookie}"
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body.decode()


def test_the_floor_returns_the_rms_first_page_of_clients(bank, web_for):
    for i in range(55):  # more than one page; names out of id order
        ClientFactory(
            branch=bank.branch,
            name=f"Client {(i * 37) % 55:02d}",
            dedicated_manager=bank.rm if i % 3 else bank.other_rm,
            backup_manager=bank.rm if i % 3 == 0 and i % 2 else None,
        )
    ClientFactory(branch=bank.branch, name="Client 00 theirs", dedicated_manager=bank.other_rm)
    page = web_for(bank.rm).get("/clients/").content.decode()
    page_ids = list(dict.fromkeys(int(i) for i in re.findall(r'href="/clients/(\d+)/"', page)))
    status, _, floor = _call(
        _bench_wsgi().application,
        "/__bench__/floor/rm-clients/",
        f"tenant={bank.tenant.pk}&rm={bank.rm.pk}",
    )
    floor_ids = [int(i) for i in re.findall(r"<tr><td>(\d+)</td>", floor)]
    assert status == "200 OK"
    assert len(floor_ids) == min(50, len(page_ids)) > 30
    assert floor_ids == page_ids[: len(floor_ids)]


def test_the_query_header_counts_the_requests_queries(bank, client):
    client.force_login(bank.rm)
    app = _bench_wsgi().application
    with CaptureQueriesContext(connection) as ctx:
        status, headers, _ = _call(app, "/clients/", cookie=client.cookies["sessionid"].value)
    assert status.startswith("200")
    assert int(headers["X-Bench-Queries"]) == len(ctx.captured_queries) > 3


def test_the_view_floor_returns_the_same_rows_behind_the_login(bank, web_for, settings):
    """The view floor (scripts/bench_urls.py) serves the bare floor's rows to a
    signed-in user through the pages' middleware, and nothing to anyone else."""
    _bench_wsgi()  # puts scripts/ on the path
    settings.ROOT_URLCONF = "bench_urls"
    for i in range(12):
        ClientFactory(
            branch=bank.branch, name=f"Client {(i * 5) % 12:02d}", dedicated_manager=bank.rm
        )
    ClientFactory(branch=bank.branch, name="Client 00 theirs", dedicated_manager=bank.other_rm)
    page = web_for(bank.rm).get("/clients/").content.decode()
    page_ids = list(dict.fromkeys(int(i) for i in re.findall(r'href="/clients/(\d+)/"', page)))
    floor = web_for(bank.rm).get(f"/__bench__/view/rm-clients/?rm={bank.rm.pk}")
    assert floor.status_code == 200
    floor_ids = [int(i) for i in re.findall(r"<tr><td>(\d+)</td>", floor.content.decode())]
    assert floor_ids == page_ids[:12] and len(floor_ids) == 12
    from django.test import Client as WebClient

    anonymous = WebClient().get(f"/__bench__/view/rm-clients/?rm={bank.rm.pk}")
    assert anonymous.status_code in (302, 403)
    assert b"Client 00" not in anonymous.content
