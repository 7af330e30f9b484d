"""RelationshipGroup.exposure is the sum of its members' exposure, kept by
triggers (clients migration 0114) on every write path: a member's exposure
recomputed from holdings, set in bulk for many clients in one statement,
members joining, leaving, moving between groups, a client deleted — and a
loaded group saved later does not write back a stale sum."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from clients.models import Client, GroupMembership, RelationshipGroup
from clients.services.portfolio import holdings_changed
from tenancy.context import tenant_scope
from tests.clients.portfolio_helpers import make_holding
from tests.risk.helpers import make_client, make_group

pytestmark = pytest.mark.django_db


def _stored(bank, group) -> Decimal:
    with tenant_scope(bank.tenant):
        return RelationshipGroup.objects.values_list("exposure", flat=True).get(pk=group.pk)


def _live(bank, group) -> Decimal:
    with tenant_scope(bank.tenant):
        total = Client.objects.filter(group_memberships__group=group).aggregate(s=Sum("exposure"))
    return (total["s"] or Decimal("0")).quantize(Decimal("0.01"))


def _check(bank, *groups):
    for g in groups:
        assert _stored(bank, g) == _live(bank, g)


def test_members_joining_and_leaving_change_the_sum(bank):
    a, b = make_client(bank, exposure="100"), make_client(bank, exposure="250.50")
    group = make_group(bank, a)
    assert _stored(bank, group) == Decimal("100.00")
    with tenant_scope(bank.tenant):
        GroupMembership.objects.create(group=group, client=b, role="other")
    assert _stored(bank, group) == Decimal("350.50")
    with tenant_scope(bank.tenant):
        GroupMembership.objects.filter(group=group, client=a).delete()
    assert _stored(bank, group) == Decimal("250.50")
    _check(bank, group)


def test_a_member_moved_to_another_group_moves_its_exposure(bank):
    a, b = make_client(bank, exposure="100"), make_client(bank, exposure="40")
    first, second = make_group(bank, a, b, name="First"), make_group(bank, name="Second")
    with tenant_scope(bank.tenant):
        GroupMembership.objects.filter(group=first, client=a).update(group=second)
    assert (_stored(bank, first), _stored(bank, second)) == (Decimal("40.00"), Decimal("100.00"))


def test_exposure_recomputed_from_holdings_reaches_the_group(bank):
    a, b = make_client(bank), make_client(bank, exposure="10")
    group = make_group(bank, a, b)
    make_holding(a, balance="5000", kind="loan")
    with tenant_scope(bank.tenant):
        holdings_changed(client_ids=[a.pk])
    assert _stored(bank, group) == Decimal("5010.00")
    _check(bank, group)


def test_one_statement_updating_many_clients_updates_every_group(bank):
    clients = [make_client(bank, exposure="1") for _ in range(6)]
    groups = [make_group(bank, *clients[i : i + 2], name=f"G{i}") for i in range(0, 6, 2)]
    with tenant_scope(bank.tenant):
        Client.objects.filter(pk__in=[c.pk for c in clients]).update(exposure=Decimal("7.25"))
        # an update that leaves exposure alone changes no sum
        Client.objects.filter(pk=clients[0].pk).update(name="Renamed")
    assert [_stored(bank, g) for g in groups] == [Decimal("14.50")] * 3
    _check(bank, *groups)


def test_a_deleted_client_leaves_the_sum(bank):
    a, b = make_client(bank, exposure="100"), make_client(bank, exposure="1")
    group = make_group(bank, a, b)
    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=a.pk).delete()
    assert _stored(bank, group) == Decimal("1.00")


def test_saving_a_loaded_group_keeps_the_sum_the_triggers_wrote(bank):
    a = make_client(bank, exposure="0")
    group = make_group(bank, a)
    with tenant_scope(bank.tenant):
        loaded = RelationshipGroup.objects.get(pk=group.pk)
        Client.objects.filter(pk=a.pk).update(exposure=Decimal("900"))
        loaded.name = "Renamed group"
        loaded.save()
    assert _stored(bank, group) == Decimal("900.00")


def test_another_tenants_groups_are_untouched(bank, other_bank):
    mine, theirs = make_client(bank, exposure="5"), make_client(other_bank, exposure="8")
    my_group, their_group = make_group(bank, mine), make_group(other_bank, theirs)
    with tenant_scope(bank.tenant):
        Client.objects.filter(pk=mine.pk).update(exposure=Decimal("6"))
    assert _stored(bank, my_group) == Decimal("6.00")
    assert _stored(other_bank, their_group) == Decimal("8.00")
