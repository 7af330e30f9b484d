"""Production mode: refuses unsafe settings, and check --deploy is clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROD = {
    "STEWARD_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-not-a-real-secret-but-long-and-random-enough-0123456789",
    "FIELD_ENCRYPTION_KEY": "test-only-field-key",
    "ALLOWED_HOSTS": "steward.example.com",
    "DATABASE_URL": "sqlite:////tmp/steward-deploy-check.sqlite3",
}


def _manage(*args, **env):
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a deployment would not)
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in PROD and k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_variables_prints_no_warnings():
    result = _manage("check", "--deploy", **PROD)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PROD}
    del env["SECRET_KEY"]
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_debug():
    result = _manage("check", **PROD, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr
