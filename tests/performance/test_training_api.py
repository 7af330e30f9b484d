"""/api/v1/trainings/ exactly as API.md says, with its visibility rule, and
the pages /performance/trainings/ and /performance/certifications/."""

from __future__ import annotations

import pytest

from performance.models import CertificationRequirement, Training
from tenancy.models import AuditEvent
from tests.factories import UserFactory

from .training_helpers import days, require, trained

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainings/"
FIELDS = {"id", "user", "course", "hours", "completed_on", "certification", "expires_on"}


@pytest.fixture
def records(bank, other_bank):
    bank.far_rm = UserFactory(
        username="a_far_rm", tenant=bank.tenant, role="rm", branch=bank.sibling_branch
    )
    bank.t_rm = trained(bank, bank.rm, certification="fund", expires_on=days(100))
    bank.t_other = trained(bank, bank.other_rm, course="AML")
    bank.t_far = trained(bank, bank.far_rm, course="Far")
    bank.t_foreign = trained(other_bank, other_bank.rm, course="Foreign")
    return bank


def _ids(api, **params):
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def test_fields_exactly_as_api_md(records, api_for):
    (row,) = api_for(records.rm).get(URL).json()["results"]
    assert set(row) == FIELDS
    assert row["user"] == records.rm.pk and row["certification"] == "fund"
    assert row["expires_on"] == days(100).isoformat() and row["hours"] == 8.0


def test_an_rm_sees_their_own(records, api_for):
    assert _ids(api_for(records.rm)) == {records.t_rm.pk}


def test_a_branch_head_sees_their_subtree(records, api_for):
    assert _ids(api_for(records.branch_head)) == {records.t_rm.pk, records.t_other.pk}


@pytest.mark.parametrize("role", ["admin", "risk_officer", "compliance"])
def test_tenant_wide_roles_see_the_tenant_not_the_other(records, api_for, role):
    expected = {records.t_rm.pk, records.t_other.pk, records.t_far.pk}
    assert _ids(api_for(getattr(records, role))) == expected


def test_filter_by_user(records, api_for):
    assert _ids(api_for(records.admin), user=records.other_rm.pk) == {records.t_other.pk}


def _post(api, **data):
    return api.post(URL, data, format="json")


def test_an_admin_records_a_training_for_anyone_with_an_audit_event(bank, api_for):
    response = _post(
        api_for(bank.admin),
        user=bank.rm.pk,
        course="CFP 课程",
        hours="24.5",
        completed_on="2026-01-10",
        certification="cfp",
        expires_on="2028-01-10",
    )
    assert response.status_code == 201, response.content
    assert set(response.json()) == FIELDS
    with bank.scope():
        row = Training.objects.get(pk=response.json()["id"])
        assert row.user_id == bank.rm.pk and row.certification == "cfp"
        assert AuditEvent.objects.filter(
            action="performance.training_recorded", object_id=str(row.pk)
        ).exists()


def test_certification_and_expiry_are_optional(bank, api_for):
    response = _post(
        api_for(bank.admin), user=bank.rm.pk, course="AML", hours=2, completed_on="2026-01-10"
    )
    assert response.status_code == 201, response.content
    assert response.json()["certification"] == "" and response.json()["expires_on"] is None


@pytest.mark.parametrize("role", ["rm", "branch_head", "risk_officer", "compliance"])
def test_others_may_not_record(bank, api_for, role):
    response = _post(
        api_for(getattr(bank, role)),
        user=bank.rm.pk,
        course="x",
        hours=1,
        completed_on="2026-01-10",
    )
    assert response.status_code == 403
    with bank.scope():
        assert not Training.objects.exists()


def test_a_staff_member_of_another_tenant_is_a_400_naming_user(bank, other_bank, api_for):
    response = _post(
        api_for(bank.admin), user=other_bank.rm.pk, course="x", hours=1, completed_on="2026-01-10"
    )
    assert response.status_code == 400 and "user" in response.json()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"course": ""}, "course"),
        ({"hours": "lots"}, "hours"),
        ({"hours": "-1"}, "hours"),
        ({"completed_on": "2026-13-01"}, "completed_on"),
        ({"certification": "wizard"}, "certification"),
        ({"certification": "fund", "expires_on": "2020-01-01"}, "expires_on"),
        ({"expires_on": "2030-01-01"}, "expires_on"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(bank, api_for, data, field):
    body = {"user": bank.rm.pk, "course": "x", "hours": 1, "completed_on": "2026-01-10", **data}
    response = _post(api_for(bank.admin), **body)
    assert response.status_code == 400 and field in response.json(), response.content


# --- pages --------------------------------------------------------------------------------


def test_the_page_lists_what_the_viewer_may_see(records, web_for):
    html = web_for(records.branch_head).get("/performance/trainings/").content.decode()
    assert "AML" in html and "Far" not in html and "Foreign" not in html
    assert 'data-testid="training-add"' not in html


def test_an_admin_adds_a_record_from_the_page(bank, web_for):
    page = web_for(bank.admin)
    assert 'data-testid="training-add"' in page.get("/performance/trainings/").content.decode()
    response = page.post(
        "/performance/trainings/",
        {"user": bank.rm.pk, "course": "基金课程", "hours": "40", "completed_on": "2026-02-01"},
    )
    assert response.status_code == 302
    with bank.scope():
        assert Training.objects.filter(user=bank.rm, course="基金课程").exists()


def test_an_rm_cannot_add_from_the_page(bank, web_for):
    response = web_for(bank.rm).post(
        "/performance/trainings/",
        {"user": bank.rm.pk, "course": "x", "hours": "1", "completed_on": "2026-02-01"},
    )
    assert response.status_code == 403


def test_the_list_page_query_count_is_flat(bank, web_for):
    """Same count at 3 and 30 records of 3 and 30 staff (no query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = web_for(bank.admin)
    counts = []
    for n in (3, 30):
        for i in range(n):
            staff = UserFactory(
                username=f"a_rm_{n}_{i}", tenant=bank.tenant, role="rm", branch=bank.branch
            )
            trained(bank, staff, certification="fund", expires_on=days(i))
        page.get("/performance/trainings/")  # warm the session and the caches
        with CaptureQueriesContext(connection) as ctx:
            assert page.get("/performance/trainings/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1] <= 16, counts


def test_admins_edit_the_requirements_with_an_audit_event(bank, web_for):
    page = web_for(bank.admin)
    response = page.post("/performance/certifications/", {"cert_fund": "fund", "cert_bond": ""})
    assert response.status_code == 302
    with bank.scope():
        assert dict(CertificationRequirement.objects.values_list("category", "certification")) == {
            "fund": "fund"
        }
        assert (
            AuditEvent.objects.filter(
                action="performance.certification_requirement_changed"
            ).count()
            == 1
        )
    page.post("/performance/certifications/", {"cert_fund": ""})
    with bank.scope():
        assert not CertificationRequirement.objects.exists()


def test_others_read_the_requirements_but_may_not_change_them(bank, web_for):
    require(bank, "fund", "fund")
    page = web_for(bank.rm)
    html = page.get("/performance/certifications/").content.decode()
    assert "<select" not in html
    assert page.post("/performance/certifications/", {"cert_fund": ""}).status_code == 403
    with bank.scope():
        assert CertificationRequirement.objects.exists()


def test_the_pages_speak_chinese(bank, web_for):
    bank.admin.language = "zh-hans"
    bank.admin.save(update_fields=["language"])
    page = web_for(bank.admin)
    assert "登记培训记录" in page.get("/performance/trainings/").content.decode()
    assert "资格认证要求" in page.get("/performance/certifications/").content.decode()
