import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tenancy.context import tenant_scope
from tenancy.models import Branch, Role, Tenant, User

from ..factories import PASSWORD


def test_create_tenant_makes_a_bank_with_head_office_and_admin(db, capsys):
    call_command(
        "create_tenant",
        name="招商测试银行",
        slug="cmb-test",
        admin_username="cmb_admin",
        admin_password=PASSWORD,
        timezone="Asia/Shanghai",
    )
    tenant = Tenant.objects.get(slug="cmb-test")
    assert capsys.readouterr().out.strip() == str(tenant.pk)
    admin = User.objects.get(username="cmb_admin")
    assert admin.role == Role.ADMIN and admin.tenant == tenant and admin.check_password(PASSWORD)
    with tenant_scope(tenant):
        assert list(Branch.objects.values_list("level", "name")) == [("head_office", "总行")]


def test_an_english_bank_names_its_head_office_in_english(db):
    call_command(
        "create_tenant",
        name="Harbour Bank",
        slug="harbour",
        admin_username="harbour_admin",
        admin_password=PASSWORD,
        locale="en",
    )
    tenant = Tenant.objects.get(slug="harbour")
    with tenant_scope(tenant):
        assert list(Branch.objects.values_list("name", flat=True)) == ["Head office"]


def test_create_tenant_rejects_a_taken_slug_and_bad_timezone(db):
    call_command(
        "create_tenant", name="A", slug="dup", admin_username="dup_admin", admin_password=PASSWORD
    )
    with pytest.raises(CommandError, match="slug"):
        call_command(
            "create_tenant",
            name="B",
            slug="dup",
            admin_username="dup_admin2",
            admin_password=PASSWORD,
        )
    with pytest.raises(CommandError, match="timezone"):
        call_command(
            "create_tenant",
            name="C",
            slug="c",
            admin_username="c_admin",
            admin_password=PASSWORD,
            timezone="Mars/Base",
        )
    assert not Tenant.objects.filter(slug="c").exists()


def test_seed_demo_creates_one_login_per_role(db, capsys):
    call_command("seed_demo", clients=20, interactions=20)
    out = capsys.readouterr().out
    for username in ("demo_admin", "demo_head", "demo_rm", "demo_risk", "demo_compliance"):
        assert username in out
        assert User.objects.get(username=username).check_password("Steward-demo-2026")
    call_command("seed_demo", skip_if_exists=True)  # idempotent for make demo
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_adds_numbered_branches_for_benchmarks(db, capsys):
    call_command("seed_demo", clients=30, interactions=10, branches=10, rms_per_branch=2)
    tenant = Tenant.objects.get(slug="demo")
    with tenant_scope(tenant):
        leaves = Branch.objects.filter(level=Branch.Level.BRANCH)
        assert leaves.count() == 10
        assert leaves.filter(name="华东第8支行").exists()
        tenth = leaves.get(name="华南第10支行")
    assert User.objects.filter(tenant=tenant, role=Role.RM, branch_id=tenth.pk).count() == 2
