"""`make bench`: Steward's own benchmark over HTTP at bench size.

1. A bench database on PostgreSQL (``steward_bench_<clients>``), created,
   migrated (as the owner role) and seeded with ``seed_demo`` the first time,
   then ``VACUUM ANALYZE``; later runs reuse it. Its keys (SECRET_KEY,
   FIELD_ENCRYPTION_KEY, AUDIT_HMAC_KEY: the server runs with DEBUG off, which
   refuses the public development keys) are generated once into
   ``var/bench/<database>.env``; without that file the database cannot be read
   and is recreated.
2. gunicorn on 127.0.0.1 (2 sync workers, DEBUG off, persistent database
   connections as in production) serving ``scripts/bench_wsgi.py``: Steward
   plus a query count per response and two floors of the RM client list (one
   SQL query: bare WSGI, and a bare Django view behind the pages' middleware).
3. Every page a role lands on, requested sequentially ``BENCH_RUNS`` times,
   alternating with both floors in the same period, then by
   ``BENCH_CONCURRENCY`` clients for ``BENCH_SECONDS`` seconds each: median,
   p95, requests per second, queries, page ÷ view floor, page ÷ bare floor.
4. The background jobs at that size, each in a transaction rolled back (the
   database stays reusable), timed.
5. A Celery worker's resident memory after start and after each scheduled
   sweep, on a copy of the database (``worker_memory``).

Environment (all optional): BENCH_CLIENTS (100000), BENCH_INTERACTIONS
(10 × clients), BENCH_RMS_PER_BRANCH (the demo's 3) and BENCH_BRANCHES (its 7), in a
database of its own), BENCH_RUNS (20), BENCH_CONCURRENCY (4), BENCH_SECONDS (5),
BENCH_PORT (8765), BENCH_JOBS (1; 0 skips them), BENCH_SWEEP (100000 follow-ups
made due for the sweep job; 0 skips it), BENCH_WORKER (1: a Celery worker's
memory over every scheduled sweep, on a copy of the database; 0 skips it),
BENCH_WORKER_BROKER (REDIS_URL's server, database 13), BENCH_WORKER_START (10
seconds for the worker to start), BENCH_ONLY (a part of the labels of the
pages to run, e.g. "risk desk"), CONN_MAX_AGE (60; 0 reconnects
every request, as development does), PG_ADMIN_URL, APP_ROLE,
OWNER_ROLE, PG_HOST, PG_PORT. Only 127.0.0.1 is ever contacted. A
measurement, not a test: ``make test`` keeps its query-count budgets.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
INTERACTIONS = int(os.environ.get("BENCH_INTERACTIONS", str(CLIENTS * 10)))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
JOBS = os.environ.get("BENCH_JOBS", "1") != "0"
SWEEP = int(os.environ.get("BENCH_SWEEP", "100000"))  # follow-ups made due for the sweep job
WORKER = os.environ.get("BENCH_WORKER", "1") != "0"  # a real worker's memory over the sweeps
WORKER_BROKER = os.environ.get(
    "BENCH_WORKER_BROKER",
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12").rsplit("/", 1)[0] + "/13",
)
WORKER_START_SECONDS = float(os.environ.get("BENCH_WORKER_START", "10"))
PG_HOST = os.environ.get("PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("PG_PORT", "5432")
APP_ROLE = os.environ.get("APP_ROLE", "steward_app")
OWNER_ROLE = os.environ.get("OWNER_ROLE", "steward_owner")
ADMIN_URL = os.environ.get("PG_ADMIN_URL", f"postgres://postgres@{PG_HOST}:{PG_PORT}/postgres")
RMS_PER_BRANCH = os.environ.get("BENCH_RMS_PER_BRANCH", "")  # e.g. 10 with 20 branches: 200 RMs
BRANCHES = os.environ.get("BENCH_BRANCHES", "")  # the demo's 7 named branches, or more
DB = (
    f"steward_bench_{CLIENTS}"
    + (f"_rms{RMS_PER_BRANCH}" if RMS_PER_BRANCH else "")
    + (f"_br{BRANCHES}" if BRANCHES else "")
)
KEYS_FILE = ROOT / "var" / "bench" / f"{DB}.env"
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(message, flush=True)


# --- 1. the database ---------------------------------------------------------------------


def _admin(sql: str, params=()) -> list:
    import psycopg2

    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def _keys() -> dict[str, str]:
    if not KEYS_FILE.exists():
        return {}
    pairs = (line.split("=", 1) for line in KEYS_FILE.read_text().splitlines() if "=" in line)
    return dict(pairs)


def _new_keys() -> dict[str, str]:
    from cryptography.fernet import Fernet

    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
    }
    KEYS_FILE.parent.mkdir(parents=True, exist_ok=True)
    KEYS_FILE.write_text("".join(f"{k}={v}\n" for k, v in keys.items()))
    KEYS_FILE.chmod(0o600)
    return keys


def server_env(keys: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(keys)
    env.update(
        DEBUG="0",
        DATABASE_URL=f"postgres://{APP_ROLE}@{PG_HOST}:{PG_PORT}/{DB}",
        DATABASE_APP_ROLE=APP_ROLE,
        PG_ADMIN_URL=ADMIN_URL,
        AUDIT_CHECKPOINT_DIR=str(KEYS_FILE.parent / f"{DB}-checkpoints"),
        CELERY_TASK_ALWAYS_EAGER="true",
        # mails of the rolled-back jobs go nowhere
        EMAIL_URL="dummymail://",
        # persistent database connections, as in production (config/settings.py:
        # 60 s when STEWARD_ENV=production; development reconnects every request,
        # a PostgreSQL backend started per page, ~15-20 ms)
        CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "60"),
        BENCH_SERVER="1",  # scripts/bench_urls.py: the view floor's URL
    )
    return env


def _manage(env: dict, *args: str, owner: bool = False) -> None:
    run_env = dict(env)
    if owner:
        run_env["DATABASE_URL"] = f"postgres://{OWNER_ROLE}@{PG_HOST}:{PG_PORT}/{DB}"
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=run_env, check=True)


def database() -> dict[str, str]:
    exists = bool(_admin("SELECT 1 FROM pg_database WHERE datname = %s", [DB]))
    keys = _keys()
    if exists and not keys:
        log(f"{DB} exists but its keys ({KEYS_FILE}) are gone: recreating it")
        _admin(f'DROP DATABASE "{DB}"')
        exists = False
    if not exists:
        keys = _new_keys()
        _admin(f'CREATE DATABASE "{DB}" OWNER {OWNER_ROLE}')
    env = server_env(keys)
    _manage(env, "migrate", "--noinput", "-v", "0", owner=True)
    seeded = _admin_db("SELECT count(*) FROM tenancy_tenant WHERE slug = 'demo'")[0][0]
    if not seeded:
        log(f"seeding {DB}: {CLIENTS:,} clients, {INTERACTIONS:,} interactions (once)")
        started = time.perf_counter()
        more = ["--rms-per-branch", RMS_PER_BRANCH] if RMS_PER_BRANCH else []
        more += ["--branches", BRANCHES] if BRANCHES else []
        _manage(
            env, "seed_demo", "--clients", str(CLIENTS), "--interactions", str(INTERACTIONS), *more
        )
        log(f"seed_demo took {time.perf_counter() - started:.0f} s")
    # every run from a vacuumed database: earlier runs' rolled-back jobs (the
    # 100,000-row sweep) and session rows leave dead row versions that
    # autovacuum would clear in production but may not here before we measure
    started = time.perf_counter()
    _admin_db("VACUUM (ANALYZE)")
    log(f"VACUUM (ANALYZE): {time.perf_counter() - started:.0f} s")
    return env


def _admin_db(sql: str, db: str = DB) -> list:
    import psycopg2

    base = ADMIN_URL.rsplit("/", 1)[0]
    conn = psycopg2.connect(f"{base}/{db}")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


# --- 2. Django in this process (sessions, ids, jobs) ----------------------------------------


def django_setup(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class Case:
    label: str
    user: str
    path: str


@dataclass
class Floors:
    """The RM list's two floors (scripts/bench_wsgi.py, scripts/bench_urls.py):
    ``bare`` skips Django; ``view`` is a bare Django view behind the pages'
    middleware, signed in as ``view_user``."""

    bare: str
    view: str
    view_user: str


def cases_and_cookies() -> tuple[list[Case], dict[str, str], Floors]:
    from django.db.models import Count
    from django.test import Client as WebClient
    from django.urls import NoReverseMatch, reverse

    from clients.models import Client
    from communications.models import Interaction
    from tenancy.context import tenant_scope
    from tenancy.models import Tenant, User

    names = ["demo_rm", "demo_head", "demo_admin", "demo_compliance", "demo_risk"]
    tenant = Tenant.objects.get(slug="demo")
    with tenant_scope(tenant):
        users = {u.username: u for u in User.objects.filter(username__in=names, tenant=tenant)}
        rm = users["demo_rm"]
        busiest = (
            Interaction.objects.filter(client__dedicated_manager=rm)
            .values("client_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "client_id")
            .values_list("client_id", flat=True)
            .first()
        ) or Client.objects.filter(dedicated_manager=rm).values_list("pk", flat=True).first()
    cookies = {}
    for name, user in users.items():
        web = WebClient()
        web.force_login(user)
        cookies[name] = web.cookies["sessionid"].value
    floor = Floors(
        bare=f"/__bench__/floor/rm-clients/?tenant={tenant.pk}&rm={rm.pk}",
        view=f"/__bench__/view/rm-clients/?rm={rm.pk}",
        view_user="demo_rm",
    )
    cases = [
        Case("client list (first page)", "demo_rm", "/clients/"),
        Case("client list (first page)", "demo_head", "/clients/"),
        Case("client list (first page)", "demo_admin", "/clients/"),
        Case("client list (first page)", "demo_compliance", "/clients/"),
        Case("name search, 1 character (王)", "demo_admin", "/clients/?q=%E7%8E%8B"),
        Case(
            "name search, 4 characters (科技有限)",
            "demo_admin",
            "/clients/?q=%E7%A7%91%E6%8A%80%E6%9C%89%E9%99%90",
        ),
        Case("client 360° (the RM's busiest client)", "demo_rm", f"/clients/{busiest}/"),
        Case("My day", "demo_rm", "/"),
        Case("My day", "demo_head", "/"),
        Case("My day", "demo_admin", "/"),
        Case("GET /api/v1/clients/", "demo_rm", "/api/v1/clients/"),
        Case("GET /api/v1/clients/", "demo_admin", "/api/v1/clients/"),
        Case("risk desk", "demo_risk", "/risk/"),
        Case("risk desk", "demo_head", "/risk/"),
        Case("loyalty dashboard", "demo_admin", "/loyalty/"),
        Case("loyalty dashboard", "demo_head", "/loyalty/"),
    ]
    # pages of later issues join the run when their URL exists
    for label, user, url_name in (
        ("client-care events", "demo_admin", "loyalty:events"),
        ("performance dashboard", "demo_head", "performance:dashboard"),
        ("performance dashboard", "demo_admin", "performance:dashboard"),
    ):
        with contextlib.suppress(NoReverseMatch):
            cases.append(Case(label, user, reverse(url_name)))
    return cases, cookies, floor


# --- 3. HTTP ---------------------------------------------------------------------------------


def get(path: str, cookie: str | None) -> tuple[float, int, int]:
    """One GET on a fresh connection (as a browser's new request would be
    served by a sync worker): milliseconds, status, queries."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    headers = {"Host": f"{HOST}:{PORT}", "Accept-Language": "zh-hans"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    took = (time.perf_counter() - started) * 1000
    queries = int(response.getheader("X-Bench-Queries") or -1)
    conn.close()
    return took, response.status, queries


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def concurrent(path: str, cookie: str | None) -> tuple[float, float]:
    """``CONCURRENCY`` clients for ``SECONDS``: requests per second and p95 ms."""
    took: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def worker():
        while time.perf_counter() < deadline:
            ms, _, _ = get(path, cookie)
            with lock:
                took.append(ms)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(took) / (time.perf_counter() - started), p95(took)


def start_server(env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"{HOST}:{PORT}",
            "--pythonpath",
            "scripts",
            "--log-level",
            "warning",
            "bench_wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            if get("/accounts/login/", None)[1] < 500:
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{PORT}")


def pages(cases: list[Case], cookies: dict[str, str], floors: Floors) -> None:
    view_cookie = cookies[floors.view_user]
    for _ in range(3):  # warm both workers
        get(floors.bare, None)
        get(floors.view, view_cookie)
    log(
        f"\n{'page':<46} {'user':<16} {'median':>7} {'p95':>6} {'req/s':>6} "
        f"{'p95@' + str(CONCURRENCY):>7} {'queries':>7} {'÷view':>6} {'÷bare':>6}"
    )
    only = os.environ.get("BENCH_ONLY", "")  # e.g. "risk desk": only the pages whose label holds it
    chosen = [c for c in cases if only.lower() in c.label.lower()]
    floor_cases = [
        Case("floor: RM list, bare WSGI, one SQL query", "", floors.bare),
        Case("floor: RM list, bare Django view", floors.view_user, floors.view),
    ]
    for case in [*floor_cases, *chosen]:
        cookie = cookies.get(case.user)
        for _ in range(2):
            _, status, _ = get(case.path, cookie)
        if status != 200:
            log(f"{case.label:<46} {case.user:<16} status {status}: skipped")
            continue
        page_ms, view_ms, bare_ms, queries = [], [], [], 0
        for _ in range(RUNS):  # alternated with both floors, in one period
            ms, _, queries = get(case.path, cookie)
            page_ms.append(ms)
            view_ms.append(get(floors.view, view_cookie)[0])
            bare_ms.append(get(floors.bare, None)[0])
        rps, p95_load = concurrent(case.path, cookie)
        median = statistics.median(page_ms)
        log(
            f"{case.label[:46]:<46} {case.user or '-':<16} {median:7.1f} "
            f"{p95(page_ms):6.1f} {rps:6.1f} {p95_load:7.1f} {queries:7d} "
            f"{median / statistics.median(view_ms):6.1f} {median / statistics.median(bare_ms):6.1f}"
        )
    log(
        f"\nms; median and p95 of {RUNS} sequential requests; "
        f"req/s and p95 with {CONCURRENCY} clients for {SECONDS:g} s; "
        "÷view, ÷bare: the page's median over the view floor's and the bare floor's, "
        "measured alternately with it"
    )


# --- 4. background jobs ------------------------------------------------------------------------


def jobs() -> None:
    from importlib import import_module

    from django.db import transaction

    from tenancy.context import tenant_scope
    from tenancy.models import Tenant

    tenant = Tenant.objects.get(slug="demo")
    candidates = [
        (
            "follow-up reminder sweep (one tenant run)",
            "communications.tasks",
            "followup_reminders_for_tenant",
            {"tenant_id": tenant.pk},
            False,
        ),
        ("survey dispatch", "loyalty.surveys.dispatch", "survey_dispatch_due", {}, True),
        ("risk early-warning scan", "risk.scan", "scan_tenant", {}, True),
        ("points earn rules", "loyalty.points.earn", "earn_rules_run", {}, True),
        ("KPI snapshot (current month)", "performance.snapshots", "snapshot_run", {}, True),
        ("risk review reminders", "risk.reminders", "review_reminders_send", {}, True),
        (
            "revisit follow-ups (cadence)",
            "communications.services.reminders",
            "revisit_followups_open",
            {},
            True,
        ),
    ]
    log(f"\n{'job (in a transaction, rolled back)':<46} {'seconds':>8}  result")
    for label, module, name, kwargs, scoped in candidates:
        try:
            job = getattr(import_module(module), name)
        except (ImportError, AttributeError):
            continue
        try:
            with transaction.atomic():
                started = time.perf_counter()
                if scoped:
                    with tenant_scope(tenant):
                        result = job(**kwargs)
                else:
                    result = job(**kwargs)
                took = time.perf_counter() - started
                transaction.set_rollback(True)
        except Exception as exc:  # a measurement: report and go on
            log(f"{label:<46} {'-':>8}  failed: {type(exc).__name__}: {exc}"[:200])
            continue
        log(f"{label:<46} {took:8.2f}  {result!r}"[:200])


def sweep_at_scale(n: int) -> None:
    """Issue 12's sweep: ``n`` follow-ups of the demo tenant made due at once
    (one per client with a dedicated manager, one due time: the worst case for
    ordering), then one ``followup_reminders_for_tenant`` run with its email
    tasks (eager, to the dummy mail backend) — all in a transaction rolled
    back. Making the rows due is not timed."""
    import logging

    from django.db import transaction

    from tenancy.models import Tenant

    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per task
    tenant = Tenant.objects.get(slug="demo")
    label = f"follow-up reminder sweep, {n:,} due"
    with transaction.atomic():
        took, reminded, sent = _sweep(tenant, n)
        transaction.set_rollback(True)
    log(f"{label:<46} {took:8.2f}  {reminded} reminded, {len(sent)} email tasks")


def make_due(tenant, n: int) -> None:
    """``n`` follow-ups of ``tenant`` (in scope) due a minute ago, one per
    client with a dedicated manager, all at the same time (the worst case
    for ordering). Not timed; also run in the worker's copy (step 5)."""
    from datetime import timedelta

    from django.utils import timezone

    from clients.models import Client
    from communications.models import FollowUp

    due = timezone.now() - timedelta(minutes=1)
    pairs = Client.objects.filter(dedicated_manager__isnull=False).values_list(
        "pk", "dedicated_manager_id"
    )[:n]
    FollowUp.objects.bulk_create(
        [
            FollowUp(tenant_id=tenant.pk, client_id=c, assignee_id=m, due_at=due, note="bench")
            for c, m in pairs
        ],
        batch_size=5000,
    )


def _sweep(tenant, n: int):
    from django.test import TestCase

    from communications.tasks import followup_reminders_for_tenant
    from tenancy.context import tenant_scope

    with tenant_scope(tenant):
        make_due(tenant, n)
        started = time.perf_counter()
        # the email tasks run when the batches "commit": here, at the end
        with TestCase.captureOnCommitCallbacks(execute=True) as sent:
            reminded = followup_reminders_for_tenant(tenant_id=tenant.pk)
        took = time.perf_counter() - started
    return took, reminded, sent


# --- 5. a worker's memory ---------------------------------------------------------------------


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker_memory(env: dict) -> None:
    """Issue 12's worker RSS: a Celery worker (``--pool=solo``, as one child
    of a prefork worker) on a copy of the bench database (its jobs commit),
    with a Redis broker (``BENCH_WORKER_BROKER``, emptied first), given every scheduled
    sweep once in turn; VmRSS after start and after each sweep, its fan-out
    and its email tasks are done (the queue and the unacknowledged set empty
    for 1.5 s). The copy is dropped after."""
    import redis
    from celery import Celery
    from django.db import connections

    connections.close_all()  # CREATE DATABASE … TEMPLATE wants the bench database idle
    copy = f"{DB}_worker"
    _admin(f'DROP DATABASE IF EXISTS "{copy}"')
    _admin(f'CREATE DATABASE "{copy}" TEMPLATE "{DB}" OWNER {OWNER_ROLE}')
    broker = WORKER_BROKER
    queue = redis.Redis.from_url(broker)
    # the bench worker's own broker database: what an interrupted run left there
    # would be the new worker's first tasks
    queue.delete("celery", "unacked", "unacked_index")
    run_env = dict(env)
    run_env.update(
        DATABASE_URL=f"postgres://{APP_ROLE}@{PG_HOST}:{PG_PORT}/{copy}",
        CELERY_BROKER_URL=broker,
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    run_env.pop("BENCH_SERVER", None)
    tasks = [
        row[0]
        for row in _admin_db(
            "SELECT task FROM django_celery_beat_periodictask WHERE enabled ORDER BY name"
        )
    ]
    worker = subprocess.Popen(
        [
            str(Path(PY).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=run_env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def idle() -> None:
        quiet_since = None
        while True:
            busy = queue.llen("celery") or queue.hlen("unacked")
            now = time.perf_counter()
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= 1.5:
                return
            time.sleep(0.1)

    try:
        time.sleep(WORKER_START_SECONDS)
        log(f"\n{'worker (solo pool, Redis broker), after':<62} {'VmRSS MiB':>9}  seconds")
        log(f"{'start':<62} {_rss_mib(worker.pid):9.1f}")
        # a client of the worker's broker of its own: this process's app has
        # sent to REDIS_URL's broker already (the jobs above, eagerly)
        app = Celery("bench", broker=broker)
        for task in tasks:
            started = time.perf_counter()
            app.send_task(task)
            idle()
            took = time.perf_counter() - started - 1.5
            log(f"{task:<62} {_rss_mib(worker.pid):9.1f}  {took:7.1f}")
        if SWEEP:
            _worker_sweep(run_env, copy, worker.pid, app, idle)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        _admin(f'DROP DATABASE IF EXISTS "{copy}"')


# ``make_due`` in the copy's demo tenant (``manage.py shell``, the copy's DATABASE_URL)
MAKE_DUE = """
import sys
sys.path.insert(0, "scripts")
from bench import make_due
from tenancy.context import tenant_scope
from tenancy.models import Tenant
tenant = Tenant.objects.get(slug="demo")
with tenant_scope(tenant):
    make_due(tenant, {n})
"""


def _worker_sweep(run_env: dict, copy: str, pid: int, app, idle) -> None:
    """The reminder sweep of ``SWEEP`` due follow-ups by the real worker:
    from sending the scheduled task to the queue's end (its email tasks
    included), then the ledger counted — each follow-up reminded once."""
    subprocess.run(
        [PY, "manage.py", "shell", "-v", "0", "-c", MAKE_DUE.format(n=SWEEP)],
        cwd=ROOT,
        env=run_env,
        check=True,
    )
    started = time.perf_counter()
    app.send_task("communications.tasks.followup_reminders_sweep")
    idle()
    took = time.perf_counter() - started - 1.5
    # fresh statistics first: planned for the one 'bench' row the copy's
    # statistics expect, the join read the whole ledger index per follow-up
    _admin_db("ANALYZE communications_followup, communications_reminderdispatch", db=copy)
    made, ledger, once, emailed = _admin_db(
        "SELECT count(DISTINCT f.id), count(d.id), count(DISTINCT d.follow_up_id),"
        " count(d.emailed_at) FROM communications_followup f"
        " LEFT JOIN communications_reminderdispatch d ON d.tenant_id = f.tenant_id"
        " AND d.follow_up_id = f.id AND d.kind = 'due'"
        " WHERE f.note = 'bench'",
        db=copy,
    )[0]
    label = (
        f"reminder sweep, {made:,} due: {ledger:,} reminded ({once:,} once), {emailed:,} emailed"
    )
    log(f"{label:<62} {_rss_mib(pid):9.1f}  {took:7.1f}")


def main() -> None:
    log(f"bench database {DB} on {PG_HOST}:{PG_PORT}")
    env = database()
    django_setup(env)
    cases, cookies, floors = cases_and_cookies()
    server = start_server(env)
    try:
        pages(cases, cookies, floors)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if JOBS:
        jobs()
        if SWEEP:
            sweep_at_scale(SWEEP)
        if WORKER:
            worker_memory(env)


if __name__ == "__main__":
    main()
