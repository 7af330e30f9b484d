from tenancy.admin_site import PLATFORM_TENANT_SESSION_KEY
from tenancy.context import tenant_scope
from tenancy.models import Branch

from ..factories import PASSWORD


def _platform_login(client, django_user_model):
    su = django_user_model.objects.create_superuser("platform", "p@example.com", PASSWORD)
    client.force_login(su)
    return su


def _work_in(client, tenant):
    return client.post(
        "/platform-admin/tenancy/tenant/",
        {"action": "work_in_tenant", "_selected_action": [tenant.pk]},
        follow=True,
    )


def test_platform_superuser_sees_the_chosen_tenants_branches_only(
    client, django_user_model, bank, other_bank
):
    _platform_login(client, django_user_model)
    page = client.get("/platform-admin/tenancy/branch/").content.decode()
    assert "a Pudong" not in page and "b Pudong" not in page  # no tenant chosen yet
    _work_in(client, other_bank.tenant)
    assert client.session[PLATFORM_TENANT_SESSION_KEY] == other_bank.tenant.pk
    page = client.get("/platform-admin/tenancy/branch/").content.decode()
    assert "b Pudong" in page and "a Pudong" not in page
    _work_in(client, bank.tenant)
    page = client.get("/platform-admin/tenancy/branch/").content.decode()
    assert "a Pudong" in page and "b Pudong" not in page


def test_platform_superuser_lists_every_tenant(client, django_user_model, bank, other_bank):
    _platform_login(client, django_user_model)
    page = client.get("/platform-admin/tenancy/tenant/").content.decode()
    assert "a Bank" in page and "b Bank" in page


def test_tenant_admin_cannot_enter_the_platform_admin(client, bank):
    client.force_login(bank.admin)
    response = client.get("/platform-admin/tenancy/branch/")
    assert response.status_code == 302
    assert "/platform-admin/login/" in response["Location"]


def test_platform_admin_cannot_edit_the_audit_trail(client, django_user_model, bank):
    _platform_login(client, django_user_model)
    _work_in(client, bank.tenant)
    assert client.get("/platform-admin/tenancy/auditevent/add/").status_code == 403
    with tenant_scope(bank.tenant):
        assert Branch.objects.count() == 4
