"""factory_boy factories. Tenant-owned rows are created inside the tenant's
scope (the `scoped` helper), as production code does."""

from __future__ import annotations

import factory
from django.contrib.auth.hashers import make_password

from clients.models import Client
from tenancy.context import tenant_scope
from tenancy.models import Branch, Role, Tenant, User
from tenancy.services import _branch_save

PASSWORD = "Correct-horse-battery-9"
_HASHED = make_password(PASSWORD)


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Bank {n}")
    slug = factory.Sequence(lambda n: f"bank-{n}")


def make_branch(
    tenant: Tenant, name: str, parent: Branch | None = None, level: str = Branch.Level.BRANCH
) -> Branch:
    with tenant_scope(tenant):
        return _branch_save(Branch(tenant=tenant, name=name, parent=parent, level=level))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = _HASHED
    role = Role.RM
    tenant = None
    branch = None
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class ClientFactory(factory.django.DjangoModelFactory):
    """Call inside tenant_scope(tenant) or pass tenant= and branch=."""

    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n}")
    external_id = factory.Sequence(lambda n: f"EXT{n:07d}")
    kind = Client.Kind.INDIVIDUAL

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        tenant = kwargs.get("tenant") or kwargs["branch"].tenant
        kwargs["tenant"] = tenant
        with tenant_scope(tenant):
            return super()._create(model_class, *args, **kwargs)
