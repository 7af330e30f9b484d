"""Production mode: refuses unsafe settings, and check --deploy is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD = {
    "STEWARD_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-not-a-real-secret-but-long-and-random-enough-0123456789",
    "FIELD_ENCRYPTION_KEY": "dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhISE=",  # a valid Fernet key
    "AUDIT_HMAC_KEY": "a" * 10 + "-test-only-audit-key-long-and-random-enough-9876543210",
    "ALLOWED_HOSTS": "steward.example.com",
    "DATABASE_URL": "sqlite:////tmp/steward-deploy-check.sqlite3",
}
KEYS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "AUDIT_HMAC_KEY")


def _env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def _manage(*args, **env):
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a deployment would not)
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in PROD and k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "STEWARD_ENV")
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


@pytest.mark.parametrize("name", KEYS)
def test_production_refuses_a_missing_key(name):
    env = {**PROD}
    del env[name]
    result = _manage("check", **env)
    assert result.returncode != 0
    assert f"{name} must be set" in result.stderr


@pytest.mark.parametrize("name", KEYS)
def test_production_refuses_the_env_example_placeholder(name):
    placeholder = _env_example()[name]
    result = _manage("check", **{**PROD, name: placeholder})
    assert result.returncode != 0
    assert f"{name} is still the .env.example placeholder" in result.stderr


@pytest.mark.parametrize("name", KEYS)
def test_production_refuses_the_public_development_key(name):
    from django.conf import settings

    # in the test process (development), each key is its public default
    result = _manage("check", **{**PROD, name: settings.DEV_KEYS[name]})
    assert result.returncode != 0
    assert f"{name} is the public development key" in result.stderr


@pytest.mark.parametrize("value", ["x", "not-a-fernet-key-but-long-enough-0123456789abcdefghij"])
def test_production_refuses_a_field_key_that_is_not_a_fernet_key(value):
    result = _manage("check", **{**PROD, "FIELD_ENCRYPTION_KEY": value})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be a Fernet key" in result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "AUDIT_HMAC_KEY"])
def test_production_refuses_a_short_key(name):
    result = _manage("check", **{**PROD, name: "short-key"})
    assert result.returncode != 0
    assert f"{name} must be at least 50 random characters" in result.stderr


def test_debug_off_outside_production_refuses_the_development_keys():
    result = _manage("check", DEBUG="0", DATABASE_URL=PROD["DATABASE_URL"])
    assert result.returncode != 0
    assert "DEBUG is off but AUDIT_HMAC_KEY, FIELD_ENCRYPTION_KEY, SECRET_KEY" in result.stderr


def test_debug_off_outside_production_refuses_even_one_development_key():
    env = {k: PROD[k] for k in ("SECRET_KEY", "AUDIT_HMAC_KEY", "DATABASE_URL")}
    result = _manage("check", DEBUG="0", **env)
    assert result.returncode != 0
    assert "DEBUG is off but FIELD_ENCRYPTION_KEY would be" in result.stderr


def test_debug_off_outside_production_runs_with_real_keys():
    env = {k: PROD[k] for k in (*KEYS, "DATABASE_URL")}
    result = _manage("check", DEBUG="0", **env)
    assert result.returncode == 0, result.stderr


def test_development_with_debug_on_uses_the_development_keys():
    result = _manage("check", DATABASE_URL=PROD["DATABASE_URL"])
    assert result.returncode == 0, result.stderr
