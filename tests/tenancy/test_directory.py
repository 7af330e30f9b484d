"""Tenant.directory_version is bumped by triggers (tenancy 0005) on every
change of a branch or of a staff member's name, role, branch or status, and
the filter options cached per process (tenancy.directory) follow it: a new RM
is an option on the next request, another tenant's never."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenancy import directory
from tenancy.models import Branch, Role, Tenant, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _version(tenant) -> int:
    return Tenant.objects.get(pk=tenant.pk).directory_version


def test_branch_and_staff_changes_bump_the_version_and_nothing_else_does(bank, other_bank):
    tenant, theirs = bank.tenant, _version(other_bank.tenant)
    steps = []
    with bank.scope():
        v = _version(tenant)
        rm = UserFactory(username="a_new_rm", tenant=tenant, role=Role.RM, branch=bank.branch)
        steps.append(("staff created", _version(tenant) > v))
        for field, value in [
            ("first_name", "Min"),
            ("last_name", "Wang"),
            ("role", Role.BRANCH_HEAD),
            ("is_active", False),
            ("branch", bank.sibling_branch),
        ]:
            v = _version(tenant)
            setattr(rm, field, value)
            rm.save()
            steps.append((field, _version(tenant) > v))
        v = _version(tenant)
        User.objects.filter(pk=rm.pk).update(last_login="2026-12-01T00:00Z", language="en")
        rm.save()  # nothing watched changed
        steps.append(("login, language, a plain save: unchanged", _version(tenant) == v))
        v = _version(tenant)
        branch = Branch.objects.create(
            name="New", code="NEW", level=Branch.Level.BRANCH, parent=bank.region
        )
        steps.append(("branch created", _version(tenant) > v))
        v = _version(tenant)
        Branch.objects.filter(pk=branch.pk).update(name="Renamed")
        steps.append(("branch renamed", _version(tenant) > v))
        v = _version(tenant)
        branch.delete()
        steps.append(("branch deleted", _version(tenant) > v))
    assert [name for name, ok in steps if not ok] == []
    assert _version(other_bank.tenant) == theirs  # another tenant's is its own


def _manager_options(web) -> dict[str, str]:
    html = web.get("/clients/").content.decode()
    select = re.search(r'<select name="manager"[^>]*>(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def _browser(user) -> Client:
    web = Client()
    web.force_login(user)
    return web


def test_the_list_filters_are_cached_per_tenant_and_follow_every_change(bank, other_bank):
    web, theirs = _browser(bank.admin), _browser(other_bank.admin)
    assert set(_manager_options(web)) == {"", str(bank.rm.pk), str(bank.other_rm.pk)}
    assert set(_manager_options(theirs)) == {"", str(other_bank.rm.pk), str(other_bank.other_rm.pk)}
    with CaptureQueriesContext(connection) as ctx:
        _manager_options(web)  # cached: neither the branches nor the RMs read
    reads = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in reads if 'FROM "tenancy_branch"' in q], reads
    assert not [q for q in reads if q.startswith('SELECT "tenancy_user"."id" AS "id"')], reads

    with bank.scope():
        new = UserFactory(username="a_rm_3", tenant=bank.tenant, role=Role.RM, branch=bank.branch)
    assert str(new.pk) in _manager_options(web)  # the next request
    assert str(new.pk) not in _manager_options(theirs)
    with bank.scope():
        new.first_name, new.last_name = "敏", "王"
        new.save()
    assert _manager_options(web)[str(new.pk)] == "王敏"


def test_a_build_in_a_transaction_that_changed_the_directory_is_not_kept(bank):
    """The options a transaction builds after its own (uncommitted) change must
    not outlive a rollback."""
    with bank.scope():
        tenant = Tenant.objects.get(pk=bank.tenant.pk)  # as a request reads it
        with pytest.raises(RuntimeError), transaction.atomic():
            UserFactory(username="a_ghost", tenant=bank.tenant, role=Role.RM, branch=bank.branch)
            built = directory.cached(
                tenant, "names", lambda: list(User.objects.values_list("username", flat=True))
            )
            assert "a_ghost" in built
            raise RuntimeError("rolled back")
        # the version the rolled-back change had taken is reached again by another one
        Branch.objects.filter(pk=bank.sibling_branch.pk).update(name="Renamed")
        later = Tenant.objects.get(pk=bank.tenant.pk)
        assert later.directory_version == tenant.directory_version + 1
        again = directory.cached(
            later, "names", lambda: list(User.objects.values_list("username", flat=True))
        )
    assert "a_ghost" not in again


def test_saving_a_tenant_read_earlier_keeps_the_version_the_triggers_moved(bank):
    stale = Tenant.objects.get(pk=bank.tenant.pk)  # read at the start of a request
    with bank.scope():
        UserFactory(username="a_meanwhile", tenant=bank.tenant, role=Role.RM, branch=bank.branch)
    moved = _version(bank.tenant)
    assert moved > stale.directory_version
    stale.require_two_factor = True
    stale.save()  # e.g. the security settings page
    assert _version(bank.tenant) == moved
    assert Tenant.objects.get(pk=bank.tenant.pk).require_two_factor
