"""Ids of one bank's objects for the cross-tenant URL walk (tests/isolation)."""

from __future__ import annotations

from datetime import date

from clients.models import (
    Client,
    ContactPerson,
    CoverageTeamMember,
    GroupMembership,
    LifeEvent,
    RelationshipGroup,
)


def _client(bank) -> Client:
    client = Client.objects.filter(external_id="ISO-TARGET").first()
    if client is None:
        client = Client.objects.create(
            name="Isolation target",
            external_id="ISO-TARGET",
            branch=bank.branch,
            dedicated_manager=bank.rm,
            kind=Client.Kind.CORPORATE,
        )
    return client


def _contact(bank) -> ContactPerson:
    client = _client(bank)
    return ContactPerson.objects.filter(client=client).first() or ContactPerson.objects.create(
        client=client, name="Contact"
    )


def _event(bank) -> LifeEvent:
    client = _client(bank)
    return LifeEvent.objects.filter(client=client).first() or LifeEvent.objects.create(
        client=client, kind=LifeEvent.Kind.BIRTHDAY, date=date(1970, 1, 1)
    )


def _member(bank) -> CoverageTeamMember:
    client = _client(bank)
    return CoverageTeamMember.objects.filter(
        client=client
    ).first() or CoverageTeamMember.objects.create(
        client=client, user=bank.other_rm, team_role=CoverageTeamMember.TeamRole.PRODUCT_SPECIALIST
    )


def _membership(bank) -> GroupMembership:
    client = _client(bank)
    found = GroupMembership.objects.filter(client=client).select_related("group").first()
    if found:
        return found
    group = RelationshipGroup.objects.create(
        name="Isolation household", kind=RelationshipGroup.Kind.HOUSEHOLD
    )
    return GroupMembership.objects.create(
        group=group, client=client, role=GroupMembership.Role.HEAD_OF_HOUSEHOLD
    )


TARGETS = {
    # pages
    "clients:detail": lambda bank: {"client_id": _client(bank).pk},
    "clients:edit": lambda bank: {"client_id": _client(bank).pk},
    "clients:reveal": lambda bank: {"client_id": _client(bank).pk},
    "clients:coverage": lambda bank: {"client_id": _client(bank).pk},
    "clients:team_add": lambda bank: {"client_id": _client(bank).pk},
    "clients:team_remove": lambda bank: {
        "client_id": _client(bank).pk,
        "member_id": _member(bank).pk,
    },
    "clients:contact_add": lambda bank: {"client_id": _client(bank).pk},
    "clients:contact_edit": lambda bank: {
        "client_id": _client(bank).pk,
        "contact_id": _contact(bank).pk,
    },
    "clients:contact_delete": lambda bank: {
        "client_id": _client(bank).pk,
        "contact_id": _contact(bank).pk,
    },
    "clients:life_event_add": lambda bank: {"client_id": _client(bank).pk},
    "clients:life_event_delete": lambda bank: {
        "client_id": _client(bank).pk,
        "event_id": _event(bank).pk,
    },
    "clients:group_detail": lambda bank: {"group_id": _membership(bank).group_id},
    "clients:group_member_remove": lambda bank: {
        "group_id": _membership(bank).group_id,
        "membership_id": _membership(bank).pk,
    },
    # API
    "client-detail": lambda bank: {"pk": _client(bank).pk},
    "client-reveal": lambda bank: {"pk": _client(bank).pk},
    "client-assign-manager": lambda bank: {"pk": _client(bank).pk},
    "client-coverage-history": lambda bank: {"pk": _client(bank).pk},
    "client-team": lambda bank: {"pk": _client(bank).pk},
    "client-team-remove": lambda bank: {"pk": _client(bank).pk, "member_id": _member(bank).pk},
    "contact-person-detail": lambda bank: {"pk": _contact(bank).pk},
    "life-event-detail": lambda bank: {"pk": _event(bank).pk},
    "client-group-detail": lambda bank: {"pk": _membership(bank).group_id},
    "client-group-members": lambda bank: {"pk": _membership(bank).group_id},
    "client-group-member-remove": lambda bank: {
        "pk": _membership(bank).group_id,
        "membership_id": _membership(bank).pk,
    },
}
