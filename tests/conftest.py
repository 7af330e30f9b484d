"""Shared fixtures: two tenants, each with a branch tree and one user of every
role, and an API client per user."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from config.celery import app as celery_app
from tenancy.context import tenant_scope
from tenancy.models import Branch, Role

from .factories import PASSWORD, ClientFactory, TenantFactory, UserFactory, make_branch

celery_app.conf.task_always_eager = True  # eager only inside unit tests
celery_app.conf.task_eager_propagates = True

# --- database roles -----------------------------------------------------------
# With DATABASE_OWNER_URL (make test sets it) the test database is created and
# migrated as the owner role, as in production, and the tests then run as the
# application role (DATABASE_URL), which owns nothing. Without it the
# connection's own role does both (and the role tests are skipped).
OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
_app_credentials: dict = {}


def _credentials(url: str) -> dict:
    import environ

    config = environ.Env.db_url_config(url)
    return {"USER": config.get("USER", ""), "PASSWORD": config.get("PASSWORD", "")}


def _use_role(credentials: dict) -> None:
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(credentials)


def owner_connection():
    """A psycopg2 connection to the test database as the owner role."""
    import psycopg2
    from django.db import connections

    params = connections["default"].get_connection_params()
    owner = _credentials(OWNER_URL)
    params.update(user=owner["USER"], password=owner["PASSWORD"])
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg2.connect(**{k: v for k, v in params.items() if v not in ("", None)})


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Runs before the test database is set up: as the owner, when configured."""
    if OWNER_URL:
        from django.db import connections

        settings_dict = connections["default"].settings_dict
        _app_credentials.update({k: settings_dict.get(k, "") for k in ("USER", "PASSWORD")})
        _use_role(_credentials(OWNER_URL))


def _flush_as_owner(self, sql_list):
    """Transactional tests empty the tables between tests with TRUNCATE, which the
    application role may not run: the owner does it. A browser test's live
    server can still be answering a last request (a favicon, a redirect the
    page did not wait for) when the test ends; TRUNCATE then deadlocks with
    it and PostgreSQL picks one: the flush is retried once that request is
    done."""
    import time

    import psycopg2.errors

    for attempt in range(5):
        conn = owner_connection()
        try:
            with conn, conn.cursor() as cursor:
                for sql in sql_list:
                    cursor.execute(sql)
            return
        except psycopg2.errors.DeadlockDetected:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
        finally:
            conn.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    if not OWNER_URL:
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    original_flush = DatabaseOperations.execute_sql_flush
    with django_db_blocker.unblock():
        _use_role(_app_credentials)
    DatabaseOperations.execute_sql_flush = _flush_as_owner
    try:
        yield
    finally:
        DatabaseOperations.execute_sql_flush = original_flush
        with django_db_blocker.unblock():
            _use_role(_credentials(OWNER_URL))  # the owner drops the database it created


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory):
    """Each test has its own checkpoint file: database ids repeat between tests,
    so a shared file would hold another test's (longer) chain for the same id."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path_factory.mktemp("audit-checkpoints"))


@pytest.fixture(autouse=True)
def _directory_cache_per_test():
    """Tenant ids repeat between tests (and a rolled-back test's versions with
    them): no test reads another's cached filter options (tenancy.directory)."""
    from tenancy import directory

    directory.clear()
    yield
    directory.clear()


@pytest.fixture(autouse=True)
def _celery_join_flag_reset():
    """Eager ``.delay()`` sets Celery's process-wide "joining would block" flag
    for the duration of the call and restores the value it found. Two threads
    of a concurrency test overlapping there can leave it set for good, and a
    later test's ``.delay().get()`` then fails with "Never call result.get()
    within a task". A test must not inherit another's leftovers."""
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@dataclass
class Bank:
    tenant: object
    head_office: Branch
    region: Branch
    branch: Branch
    sibling_branch: Branch
    admin: object
    branch_head: object
    rm: object
    other_rm: object
    risk_officer: object
    compliance: object

    def users(self):
        return {
            "admin": self.admin,
            "branch_head": self.branch_head,
            "rm": self.rm,
            "risk_officer": self.risk_officer,
            "compliance": self.compliance,
        }

    def scope(self):
        return tenant_scope(self.tenant)


def build_bank(prefix: str) -> Bank:
    tenant = TenantFactory(name=f"{prefix} Bank", slug=f"{prefix}-bank")
    head = make_branch(tenant, f"{prefix} Head office", level=Branch.Level.HEAD_OFFICE)
    region = make_branch(tenant, f"{prefix} East region", head, Branch.Level.REGION)
    branch = make_branch(tenant, f"{prefix} Pudong", region)
    sibling = make_branch(tenant, f"{prefix} Jing'an", region)

    def user(role, b, suffix=""):
        return UserFactory(username=f"{prefix}_{role}{suffix}", tenant=tenant, role=role, branch=b)

    return Bank(
        tenant=tenant,
        head_office=head,
        region=region,
        branch=branch,
        sibling_branch=sibling,
        admin=user(Role.ADMIN, head),
        branch_head=user(Role.BRANCH_HEAD, branch),
        rm=user(Role.RM, branch),
        other_rm=user(Role.RM, branch, "2"),
        risk_officer=user(Role.RISK_OFFICER, head),
        compliance=user(Role.COMPLIANCE, head),
    )


@pytest.fixture
def bank(db) -> Bank:
    return build_bank("a")


@pytest.fixture
def other_bank(db) -> Bank:
    return build_bank("b")


@pytest.fixture
def tenant(bank):
    return bank.tenant


@pytest.fixture
def other_tenant(other_bank):
    return other_bank.tenant


@pytest.fixture
def client_of(bank):
    """A client of ``bank``'s Pudong branch managed by ``bank.rm``."""
    return ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        api = APIClient()
        api.force_authenticate(user)
        return api

    return make


@pytest.fixture
def web_for(client):
    """A browser-like test client logged in as ``user`` (session, CSRF off)."""

    def make(user):
        client.force_login(user)
        return client

    return make


@pytest.fixture
def password():
    return PASSWORD


def postgres_only():
    return pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (make test runs on it)",
    )
