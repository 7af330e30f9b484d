"""`make demo`'s path on an empty machine: SQLite, filesystem broker, migrate,
seed, serve; the login page answers and a demo login works."""

import os
import re
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
