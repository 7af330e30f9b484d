from rest_framework.test import APIClient

from tenancy.models import Role, User

from ..factories import PASSWORD


def test_me_describes_the_caller(api_for, bank):
    body = api_for(bank.branch_head).get("/api/v1/me/").json()
    assert body["username"] == bank.branch_head.username
    assert body["role"] == "branch_head"
    assert body["tenant"] == bank.tenant.pk
    assert body["branch"] == bank.branch.pk
    assert body["time_zone"] == bank.tenant.timezone


def test_me_time_zone_is_the_tenants(api_for, bank):
    bank.tenant.timezone = "Europe/London"
    bank.tenant.save(update_fields=["timezone"])
    assert api_for(bank.rm).get("/api/v1/me/").json()["time_zone"] == "Europe/London"


def test_unauthenticated_api_is_401(db):
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_branches_list_only_own_tenant_paginated(api_for, bank, other_bank):
    body = api_for(bank.rm).get("/api/v1/branches/").json()
    assert {"results", "next", "count"} <= set(body)
    assert {b["name"] for b in body["results"]} == {
        "a Head office",
        "a East region",
        "a Pudong",
        "a Jing'an",
    }


def test_admin_creates_a_branch(api_for, bank):
    r = api_for(bank.admin).post(
        "/api/v1/branches/", {"name": "a Hangzhou", "parent": bank.region.pk}, format="json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["parent"] == bank.region.pk
    assert r.json()["path"].startswith(bank.region.path)


def test_non_admin_cannot_create_a_branch(api_for, bank):
    r = api_for(bank.branch_head).post(
        "/api/v1/branches/", {"name": "nope", "parent": bank.region.pk}, format="json"
    )
    assert r.status_code == 403


def test_branch_parent_of_another_tenant_is_a_field_error(api_for, bank, other_bank):
    r = api_for(bank.admin).post(
        "/api/v1/branches/", {"name": "x", "parent": other_bank.region.pk}, format="json"
    )
    assert r.status_code == 400
    assert "parent" in r.json()


def test_foreign_branch_detail_is_404(api_for, bank, other_bank):
    assert api_for(bank.admin).get(f"/api/v1/branches/{other_bank.branch.pk}/").status_code == 404


def test_admin_creates_staff_with_role_and_branch(api_for, bank):
    r = api_for(bank.admin).post(
        "/api/v1/users/",
        {"username": "a_newrm", "password": PASSWORD, "role": "rm", "branch": bank.branch.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert "password" not in r.json()
    created = User.objects.get(username="a_newrm")
    assert (
        created.tenant == bank.tenant
        and created.role == Role.RM
        and created.check_password(PASSWORD)
    )


def test_staff_branch_must_belong_to_the_tenant(api_for, bank, other_bank):
    r = api_for(bank.admin).post(
        "/api/v1/users/",
        {"username": "a_x", "password": PASSWORD, "role": "rm", "branch": other_bank.branch.pk},
        format="json",
    )
    assert r.status_code == 400
    assert "branch" in r.json()
    assert not User.objects.filter(username="a_x").exists()


def test_duplicate_username_across_tenants_is_a_field_error(api_for, bank, other_bank):
    r = api_for(bank.admin).post(
        "/api/v1/users/",
        {
            "username": other_bank.rm.username,
            "password": PASSWORD,
            "role": "rm",
            "branch": bank.branch.pk,
        },
        format="json",
    )
    assert r.status_code == 400
    assert "username" in r.json()


def test_weak_password_is_a_field_error(api_for, bank):
    r = api_for(bank.admin).post(
        "/api/v1/users/",
        {"username": "a_weak", "password": "123", "role": "rm", "branch": bank.branch.pk},
        format="json",
    )
    assert r.status_code == 400
    assert "password" in r.json()


def test_unknown_role_is_a_field_error(api_for, bank):
    r = api_for(bank.admin).post(
        "/api/v1/users/",
        {"username": "a_r", "password": PASSWORD, "role": "king", "branch": bank.branch.pk},
        format="json",
    )
    assert r.status_code == 400
    assert "role" in r.json()


def test_rm_cannot_create_staff(api_for, bank):
    r = api_for(bank.rm).post(
        "/api/v1/users/",
        {"username": "a_y", "password": PASSWORD, "role": "rm", "branch": bank.branch.pk},
        format="json",
    )
    assert r.status_code == 403


def test_users_list_shows_only_own_tenant(api_for, bank, other_bank):
    names = {
        u["username"]
        for u in api_for(bank.admin).get("/api/v1/users/?page_size=100").json()["results"]
    }
    assert bank.rm.username in names
    assert other_bank.rm.username not in names


def test_users_list_query_count_is_bounded(api_for, bank, django_assert_max_num_queries):
    from ..factories import UserFactory

    api = api_for(bank.admin)
    for size in (5, 60):
        UserFactory.create_batch(size, tenant=bank.tenant, branch=bank.branch, role=Role.RM)
        with django_assert_max_num_queries(8):
            assert api.get("/api/v1/users/").status_code == 200


def test_openapi_schema_is_served_to_staff(api_for, bank):
    r = api_for(bank.rm).get("/api/schema/?format=json")
    assert r.status_code == 200
    assert "/api/v1/me/" in r.json()["paths"]


def test_healthz_reports_database_and_broker(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "unavailable")


def test_openapi_schema_generates_without_warnings(db, tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "/api/v1/branches/{id}/" in (tmp_path / "schema.yml").read_text()
