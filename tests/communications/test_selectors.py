"""The ethical wall: confidential call reports."""

from __future__ import annotations

import pytest
from django.http import Http404

from clients.access import client_get
from communications import selectors
from communications.models import InteractionAttendee
from tests.communications.factories import make_interaction
from tests.factories import ClientFactory, UserFactory


@pytest.fixture
def shared_client(bank):
    """A client of bank.rm that the branch also covers: other_rm is its backup? No — see each test."""
    return ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)


@pytest.fixture
def confidential(bank, shared_client):
    return make_interaction(shared_client, bank.rm, confidential=True, subject="M&A talk")


def _get(bank, user, interaction):
    with bank.scope():
        return selectors.interaction_get(user=user, interaction_id=interaction.pk)


def test_confidential_report_is_404_for_same_branch_rm_who_is_neither_attendee_nor_manager(
    bank, confidential
):
    # the other RM can see the client (shared in) but not the confidential report
    from guardian.shortcuts import assign_perm

    with bank.scope():
        assign_perm("view_client", bank.other_rm, confidential.client)
        assert client_get(user=bank.other_rm, client_id=confidential.client_id)
    with pytest.raises(Http404):
        _get(bank, bank.other_rm, confidential)


def test_confidential_report_is_visible_to_compliance(bank, confidential):
    assert _get(bank, bank.compliance, confidential).pk == confidential.pk


def test_confidential_report_is_visible_to_the_dedicated_manager(bank, confidential):
    assert _get(bank, bank.rm, confidential).pk == confidential.pk


def test_confidential_report_is_visible_to_the_backup_manager(bank, confidential):
    with bank.scope():
        type(confidential.client).objects.filter(pk=confidential.client_id).update(
            backup_manager=bank.other_rm
        )
    assert _get(bank, bank.other_rm, confidential).pk == confidential.pk


def test_confidential_report_is_visible_to_a_bank_side_attendee(bank, confidential):
    with bank.scope():
        InteractionAttendee.objects.create(interaction=confidential, user=bank.branch_head)
    assert _get(bank, bank.branch_head, confidential).pk == confidential.pk


@pytest.mark.parametrize("role", ["branch_head", "admin", "risk_officer"])
def test_confidential_report_is_hidden_from_other_roles_who_see_the_client(
    bank, confidential, role
):
    with pytest.raises(Http404):
        _get(bank, getattr(bank, role), confidential)


def test_ordinary_report_is_visible_to_whoever_sees_the_client(bank, shared_client):
    plain = make_interaction(shared_client, bank.rm)
    assert _get(bank, bank.branch_head, plain).pk == plain.pk


def test_reports_of_invisible_clients_are_404(bank, shared_client):
    plain = make_interaction(shared_client, bank.rm)
    with pytest.raises(Http404):
        _get(bank, bank.other_rm, plain)


def test_another_tenants_report_is_404(bank, other_bank):
    foreign_client = ClientFactory(
        tenant=other_bank.tenant, branch=other_bank.branch, dedicated_manager=other_bank.rm
    )
    foreign = make_interaction(foreign_client, other_bank.rm)
    with pytest.raises(Http404):
        _get(bank, bank.compliance, foreign)


def test_confidential_reports_are_left_out_of_lists(bank, confidential, shared_client):
    make_interaction(shared_client, bank.rm, subject="Plain")
    with bank.scope():
        subjects = set(
            selectors.interaction_list(user=bank.branch_head).values_list("subject", flat=True)
        )
    assert subjects == {"Plain"}


def test_contact_warnings_flag_missing_consent_and_hours(bank, key_client):
    import datetime as dt
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    evening = dt.datetime(2026, 5, 6, 21, 0, tzinfo=tz)
    morning = dt.datetime(2026, 5, 6, 10, 0, tzinfo=tz)
    with bank.scope():
        assert selectors.contact_warnings(client=key_client, channel="phone", at=morning) == []
        warnings = selectors.contact_warnings(client=key_client, channel="email", at=evening)
    assert len(warnings) == 2
    assert "21:00" in warnings[1]


def test_colleagues_are_the_active_staff_of_the_tenant_only(bank, other_bank):
    UserFactory(tenant=bank.tenant, role="rm", branch=bank.branch, is_active=False, username="gone")
    with bank.scope():
        names = set(selectors.colleague_list(user=bank.rm).values_list("username", flat=True))
    assert (
        "gone" not in names
        and other_bank.rm.username not in names
        and bank.other_rm.username in names
    )
