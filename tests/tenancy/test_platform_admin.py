from tenancy.context import tenant_scope
from tenancy.models import Branch

from ..factories import PASSWORD


def test_platform_superuser_sees_every_tenants_branches(
    client, django_user_model, bank, other_bank
):
    su = django_user_model.objects.create_superuser("platform", "p@example.com", PASSWORD)
    client.force_login(su)
    page = client.get("/platform-admin/tenancy/branch/").content.decode()
    assert "a Pudong" in page and "b Pudong" in page


def test_tenant_admin_cannot_enter_the_platform_admin(client, bank):
    client.force_login(bank.admin)
    response = client.get("/platform-admin/tenancy/branch/")
    assert response.status_code == 302
    assert "/platform-admin/login/" in response["Location"]


def test_platform_admin_cannot_edit_the_audit_trail(client, django_user_model, bank):
    su = django_user_model.objects.create_superuser("platform", "p@example.com", PASSWORD)
    client.force_login(su)
    assert client.get("/platform-admin/tenancy/auditevent/add/").status_code == 403
    with tenant_scope(bank.tenant):
        assert Branch.objects.count() == 4
