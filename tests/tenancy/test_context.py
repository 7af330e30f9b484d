import pytest
from rest_framework.test import APIClient

from tenancy.context import TenantScopeError, current_tenant_id, tenant_scope, tenant_task
from tenancy.models import Branch

from ..factories import PASSWORD


@tenant_task
def _count_branches(*, tenant_id):
    return current_tenant_id(), Branch.objects.count()


def test_tenant_task_runs_inside_its_tenants_scope(bank, other_bank):
    assert _count_branches(tenant_id=bank.tenant.pk) == (bank.tenant.pk, 4)
    assert current_tenant_id() is None


def test_tenant_task_without_tenant_id_refuses_to_run(db):
    with pytest.raises(TenantScopeError):
        _count_branches()


def test_scopes_nest_and_restore(bank, other_bank):
    with tenant_scope(bank.tenant):
        with tenant_scope(other_bank.tenant):
            assert set(Branch.objects.values_list("tenant_id", flat=True)) == {other_bank.tenant.pk}
        assert set(Branch.objects.values_list("tenant_id", flat=True)) == {bank.tenant.pk}
    assert current_tenant_id() is None


def test_token_requests_run_in_the_callers_tenant(bank, other_bank):
    token = (
        APIClient()
        .post(
            "/api/v1/auth/token/",
            {"username": other_bank.rm.username, "password": PASSWORD},
            format="json",
        )
        .json()["token"]
    )
    body = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/branches/").json()
    assert {b["name"] for b in body["results"]} == {
        "b Head office",
        "b East region",
        "b Pudong",
        "b Jing'an",
    }
    assert current_tenant_id() is None  # reset after the request


def test_browser_requests_reset_the_scope_afterwards(web_for, bank):
    assert web_for(bank.rm).get("/").status_code == 200
    assert current_tenant_id() is None
