"""`make demo`'s path on an empty machine: SQLite, filesystem broker, migrate,
seed, serve; the login page answers and a demo login works."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER")
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    return env


def test_demo_serves_the_login_page_and_the_demo_logins_work(demo_env):
    def run(*a):
        return subprocess.run(
            [sys.executable, "manage.py", *a],
            cwd=ROOT,
            env=demo_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )

    run("migrate", "--noinput")
    out = run("seed_demo", "--skip-if-exists", "--clients", "40", "--interactions", "100").stdout
    assert "demo_rm" in out and "Steward-demo-2026" in out
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=demo_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        for _ in range(100):
            try:
                page = opener.open(f"{base}/accounts/login/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the demo server did not start")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "demo_rm", "password": "Steward-demo-2026"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": base}
        )
        home = opener.open(request, timeout=10)
        assert home.geturl() == f"{base}/"
        assert "我的工作台" in home.read().decode()
        health = opener.open(f"{base}/healthz", timeout=5).read().decode()
        assert '"database": "ok"' in health and '"broker": "ok"' in health
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- stopping `make demo` (scripts/demo_run.py) -------------------------------------------


@pytest.fixture(scope="module")
def migrated_demo_env(tmp_path_factory):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER")
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('demo-stop') / 'demo.sqlite3'}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
        check=True,
    )
    return env


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) from /proc."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(stat.parent.name)] = (int(after_name[1]), after_name[0])
    return table


def _descendants(pid: int) -> set[int]:
    table, found, todo = _process_table(), set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {p for p, (ppid, _) in table.items() if ppid == parent} - found
        found |= kids
        todo.extend(kids)
    return found


def _still_running(pids: set[int]) -> set[int]:
    table = _process_table()
    return {p for p in pids if p in table and table[p][1] != "Z"}


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_demo_stops_web_and_worker_within_seconds(migrated_demo_env, tmp_path, stop_signal):
    port = _free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "scripts/demo_run.py", "--addr", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=migrated_demo_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        web_up = False
        while time.monotonic() < deadline:
            assert runner.poll() is None, log.read_text(errors="replace")[-3000:]
            if not web_up:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
                    web_up = True
                except OSError:
                    pass
            if web_up and " ready." in log.read_text(errors="replace"):
                break
            time.sleep(0.3)
        else:
            pytest.fail("web and worker did not start:\n" + log.read_text(errors="replace")[-3000:])
        children = _descendants(runner.pid)
        assert len(children) >= 3  # runserver (+ its reloader child), the worker and its pool

        started = time.monotonic()
        runner.send_signal(stop_signal)
        runner.wait(timeout=10)
        while _still_running(children) and time.monotonic() - started < 10:
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        for pid in _still_running(_descendants(runner.pid) | locals().get("children", set())):
            os.kill(pid, signal.SIGKILL)
    assert _still_running(children) == set()
    assert elapsed < 10
    assert runner.returncode == 0
    assert log.read_text(errors="replace").count("Warm shutdown") <= 1
