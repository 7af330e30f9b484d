"""No personal data or credential in any log line (issue 8 finding 11).

Searches by id number, phone and email, and the calendar feed's and public
links' tokens, go through the test client, a real ``runserver`` and a real
gunicorn on 127.0.0.1; every log line they write is captured and searched
for the canaries."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from communications.services import calendar_token_rotate
from config.logredact import MASK, RedactingFilter, redact
from tenancy import tokens
from tests.conftest import postgres_only

ROOT = Path(__file__).resolve().parents[2]

NATIONAL_ID = "11010119900307777X"
PHONE = "13912345678"
EMAIL = "canary.person@example.com"
SEARCH_CANARIES = [NATIONAL_ID, PHONE, EMAIL]


def _search_paths():
    from urllib.parse import quote

    paths = []
    for canary in SEARCH_CANARIES:
        paths.append(f"/clients/?q={quote(canary)}")
        paths.append(f"/api/v1/clients/?search={quote(canary)}&page=1")
    return paths


def _forbidden(canaries):
    """Each canary as it may appear in a log: raw, URL-encoded, and the @ form."""
    from urllib.parse import quote, quote_plus

    out = set()
    for c in canaries:
        out |= {c, quote(c), quote_plus(c), quote(c, safe="")}
    return out


# --- the rule itself -----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('"GET /clients/?q=13912345678 HTTP/1.1" 200 512', '"GET /clients/?q=[redacted] HTTP/1.1"'),
        ("/api/v1/clients/?search=a%40b.cn&page=2", "/api/v1/clients/?search=[redacted]&page=2"),
        ("/calendar/AbC-123_xyz.ics", "/calendar/[redacted].ics"),
        ("Not Found: /s/Zm9vYmFy/", "Not Found: /s/[redacted]/"),
        ("/e/tok3n/?answer=yes", "/e/[redacted]/?answer=[redacted]"),
        ("/clients/?13912345678", "/clients/?[redacted]"),
        ("/follow-ups/?status=open&ordering=-due_at", "/follow-ups/?status=open&ordering=-due_at"),
    ],
)
def test_redact(line, kept):
    assert kept in redact(line)


def test_filter_rewrites_arguments_of_django_server_records():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /clients/?q=13912345678 HTTP/1.1", "200", "12"),
        None,
    )
    RedactingFilter().filter(record)
    assert PHONE not in record.getMessage()
    assert MASK in record.getMessage()


def test_every_configured_handler_redacts():
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    handlers = {
        h for lg in loggers for h in lg.handlers if not type(h).__module__.startswith("_pytest")
    }
    assert handlers, "no handler configured"
    unfiltered = [
        h
        for h in handlers
        if not isinstance(h, logging.NullHandler)  # libraries' "write nowhere" default
        and not any(isinstance(f, RedactingFilter) for f in h.filters)
    ]
    assert not unfiltered


# --- through the test client ------------------------------------------------------


@pytest.fixture
def captured_logs():
    """Point every configured handler at one buffer (what they would print)."""
    buf = io.StringIO()
    loggers = [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    swapped = []
    for lg in loggers:
        for h in lg.handlers:
            if isinstance(h, logging.StreamHandler) and not type(h).__module__.startswith(
                "_pytest"
            ):
                swapped.append((h, h.setStream(buf)))
    yield buf
    for h, old in swapped:
        h.setStream(old)


def test_no_canary_in_logs_through_the_test_client(bank, client, captured_logs):
    with bank.scope():
        feed_token = calendar_token_rotate(user=bank.rm)
    _token, key = tokens.api_token_create(user=bank.rm)
    client.force_login(bank.rm)
    for path in _search_paths():
        assert client.get(path, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    client.logout()
    assert client.get(f"/calendar/{feed_token}.ics").status_code == 200
    # 404s are logged by django.request with their path
    assert client.get(f"/calendar/{feed_token}x.ics").status_code == 404
    assert client.get("/s/NotARealSurveyToken123/").status_code == 404
    logs = captured_logs.getvalue()
    assert "Not Found: /calendar/[redacted].ics" in logs  # the lines were written...
    for secret in _forbidden([*SEARCH_CANARIES, feed_token, "NotARealSurveyToken123", key]):
        assert secret not in logs  # ...without the secret


# --- through real servers on 127.0.0.1 ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d.get("PASSWORD") else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def _serve(argv, port, requests):
    """Run a server, make ``requests`` (path, headers), return all it logged."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    statuses = []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 40
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - 127.0.0.1 only
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("server did not start") from None
                time.sleep(0.3)
        for path, headers in requests:
            req = urllib.request.Request(base + path, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
                    statuses.append(resp.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
        time.sleep(0.5)  # let the last access lines flush
    finally:
        proc.terminate()
        try:
            out, _err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _err = proc.communicate()
    return out, statuses


def _canary_requests(bank):
    with bank.scope():
        feed_token = calendar_token_rotate(user=bank.rm)
    _token, key = tokens.api_token_create(user=bank.rm)
    auth = {"Authorization": f"Token {key}"}
    referer = {"Referer": f"http://127.0.0.1/clients/?q={PHONE}", **auth}
    reqs = [(p, auth) for p in _search_paths()]
    reqs += [(f"/calendar/{feed_token}.ics", referer), ("/s/NotARealSurveyToken123/", {})]
    return reqs, [*SEARCH_CANARIES, feed_token, "NotARealSurveyToken123", key]


def _check(out, statuses, canaries):
    assert 200 in statuses and 404 in statuses, statuses
    assert out.count("[redacted]") >= len(SEARCH_CANARIES) * 2, out  # the lines are there
    leaked = [c for c in _forbidden(canaries) if c in out]
    assert not leaked, out
    return len(canaries)


@postgres_only()  # the server is given the test database as a PostgreSQL URL
@pytest.mark.django_db(transaction=True)
def test_no_canary_in_runserver_logs(bank):
    requests, canaries = _canary_requests(bank)
    port = _free_port()
    argv = [
        sys.executable,
        "manage.py",
        "runserver",
        f"127.0.0.1:{port}",
        "--noreload",
        "--nothreading",
    ]
    out, statuses = _serve(argv, port, requests)
    _check(out, statuses, canaries)


@postgres_only()
@pytest.mark.django_db(transaction=True)
def test_no_canary_in_gunicorn_access_log(bank):
    requests, canaries = _canary_requests(bank)
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    argv = [
        gunicorn,
        "config.wsgi:application",
        "-c",
        "config/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        # the combined format plus the Authorization header: neither may leak
        "--access-logformat",
        '%(h)s "%(r)s" %(s)s "%(f)s" "%(a)s" %(U)s %(q)s %({authorization}i)s',
    ]
    out, statuses = _serve(argv, port, requests)
    _check(out, statuses, canaries)
