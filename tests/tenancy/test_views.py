import pytest

from tenancy.models import AuditEvent, Branch, Role, User

from ..factories import PASSWORD, UserFactory


def test_my_day_renders_for_every_role_that_has_one(web_for, bank):
    for user in (bank.admin, bank.branch_head, bank.rm):
        response = web_for(user).get("/")
        assert response.status_code == 200, user.role


def test_risk_officer_lands_on_the_risk_desk_and_compliance_on_the_audit_trail(web_for, bank):
    r = web_for(bank.risk_officer).get("/")
    assert r.status_code == 302 and r["Location"] == "/risk/"
    r = web_for(bank.compliance).get("/", follow=True)
    assert r.redirect_chain == [("/manage/audit/", 302)] and r.status_code == 200


@pytest.mark.parametrize("role", ["rm", "branch_head", "risk_officer", "compliance"])
def test_manage_pages_are_admin_only(web_for, bank, role):
    web = web_for(getattr(bank, role))
    for path in ("/manage/", "/manage/staff/", "/manage/branches/"):
        assert web.get(path).status_code == 403


def test_navigation_follows_the_role(web_for, bank):
    admin_page = web_for(bank.admin).get("/").content.decode()
    assert 'data-nav="tenancy:manage"' in admin_page
    rm_page = web_for(bank.rm).get("/").content.decode()
    assert 'data-nav="tenancy:manage"' not in rm_page
    assert 'data-nav="home"' in rm_page
    compliance_page = web_for(bank.compliance).get("/manage/audit/").content.decode()
    assert 'data-nav="tenancy:audit"' in compliance_page


def test_admin_creates_staff_from_the_page(web_for, bank):
    web = web_for(bank.admin)
    response = web.post(
        "/manage/staff/",
        {
            "username": "a_page_rm",
            "role": "rm",
            "branch": bank.branch.pk,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="a_page_rm").tenant == bank.tenant


def test_staff_form_shows_field_errors_and_writes_nothing(web_for, bank):
    response = web_for(bank.admin).post(
        "/manage/staff/",
        {
            "username": bank.rm.username,
            "role": "rm",
            "branch": bank.branch.pk,
            "password": "short",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "username" in errors and "password" in errors


def test_admin_changes_a_role_and_it_is_audited(web_for, bank):
    web = web_for(bank.admin)
    response = web.post(
        f"/manage/staff/{bank.rm.pk}/",
        {"role": "branch_head", "branch": bank.branch.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    bank.rm.refresh_from_db()
    assert bank.rm.role == Role.BRANCH_HEAD
    with bank.scope():
        event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "staff.updated"
    assert event.data["role"] == {"from": "rm", "to": "branch_head"}


def test_admin_cannot_demote_themselves(web_for, bank):
    response = web_for(bank.admin).post(
        f"/manage/staff/{bank.admin.pk}/",
        {"role": "rm", "branch": bank.branch.pk, "is_active": "on"},
    )
    assert response.status_code == 400
    bank.admin.refresh_from_db()
    assert bank.admin.role == Role.ADMIN


def test_admin_creates_a_branch_under_a_region(web_for, bank):
    response = web_for(bank.admin).post(
        "/manage/branches/", {"name": "a Xuhui", "level": "branch", "parent": bank.region.pk}
    )
    assert response.status_code == 302
    with bank.scope():
        branch = Branch.objects.get(name="a Xuhui")
    assert branch.path.startswith(bank.region.path)


def test_branch_parent_from_another_tenant_is_rejected(web_for, bank, other_bank):
    response = web_for(bank.admin).post(
        "/manage/branches/", {"name": "a X", "level": "branch", "parent": other_bank.region.pk}
    )
    assert response.status_code == 400


def test_staff_page_query_count_is_bounded(web_for, bank, django_assert_max_num_queries):
    web = web_for(bank.admin)
    for size in (5, 60):
        UserFactory.create_batch(size, tenant=bank.tenant, branch=bank.branch, role=Role.RM)
        with django_assert_max_num_queries(18):
            assert web.get("/manage/staff/").status_code == 200


def test_audit_page_for_compliance_not_for_rm(web_for, bank):
    assert web_for(bank.compliance).get("/manage/audit/").status_code == 200
    assert web_for(bank.rm).get("/manage/audit/").status_code == 403


def test_language_switch_to_english_and_back(client, bank):
    client.force_login(bank.rm)
    page = client.get("/").content.decode()
    assert "我的工作台" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "My day" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "我的工作台" in client.get("/").content.decode()


def test_tenant_language_is_the_default(client, bank):
    bank.tenant.locale = "en"
    bank.tenant.save()
    client.force_login(bank.rm)
    assert "My day" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_chinese_names_read_family_name_first(db):
    assert User(first_name="敏", last_name="王").get_full_name() == "王敏"
    assert User(first_name="Anna", last_name="Li").get_full_name() == "Anna Li"


def test_pages_show_times_in_the_tenants_time_zone(web_for, bank):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from tenancy.audit import audit_record

    bank.tenant.timezone = "America/New_York"
    bank.tenant.save()
    with bank.scope():
        when = audit_record(action="tz.probe", actor=bank.admin).occurred_at
    page = web_for(bank.compliance).get("/manage/audit/").content.decode()
    assert when.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M:%S") in page
    assert when.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S") not in page
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"  # nothing left behind
