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


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory):
    """Each test has its own checkpoint file: database ids repeat between tests,
    so a shared file would hold another test's (longer) chain for the same id."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path_factory.mktemp("audit-checkpoints"))


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
