import pytest
from django.apps import apps

from clients.models import Client
from tenancy.context import TenantScopeError, tenant_scope
from tenancy.models import AuditEvent, Branch, TenantOwnedModel

TENANT_OWNED = [
    m for m in apps.get_models() if issubclass(m, TenantOwnedModel) and not m._meta.abstract
]


def test_there_are_tenant_owned_models():
    assert {Branch, AuditEvent, Client} <= set(TENANT_OWNED)


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
def test_default_manager_raises_outside_a_tenant_scope(db, model):
    with pytest.raises(TenantScopeError):
        list(model.objects.all()[:1])
    with pytest.raises(TenantScopeError):
        model.objects.count()


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
def test_default_manager_filters_to_the_tenant_in_scope(bank, other_bank, model):
    with tenant_scope(bank.tenant):
        tenants = set(model.objects.values_list("tenant_id", flat=True).distinct())
    assert tenants <= {bank.tenant.pk}


def test_branch_reads_in_scope_see_only_own_tenant(bank, other_bank):
    with tenant_scope(bank.tenant):
        names = set(Branch.objects.values_list("name", flat=True))
    assert names == {"a Head office", "a East region", "a Pudong", "a Jing'an"}


def test_reverse_relations_are_scoped_too(bank):
    with pytest.raises(TenantScopeError):
        list(bank.head_office.children.all())
    with tenant_scope(bank.tenant):
        assert [b.name for b in bank.head_office.children.all()] == ["a East region"]


def test_saving_a_row_of_another_tenant_inside_a_scope_is_refused(bank, other_bank):
    with tenant_scope(bank.tenant), pytest.raises(ValueError):
        Branch(tenant=other_bank.tenant, name="sneaky").save()


def test_new_rows_take_the_tenant_in_scope(bank):
    with tenant_scope(bank.tenant):
        b = Branch(name="fresh")
        b.save()
    assert b.tenant_id == bank.tenant.pk
