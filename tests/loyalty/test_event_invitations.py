"""Invitations go through the contact budget: consent, open recovery,
the survey interval; all or none; the suggestions leave out whom the
budget would refuse; an event invitation spends the survey budget."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from loyalty.events import selectors
from loyalty.models import EventInvitation, EventMessage, SurveyInvitation
from loyalty.surveys import dispatch
from tenancy.context import tenant_scope

from .event_helpers import invite, make_client, make_event
from .survey_helpers import answered
from .survey_helpers import invite as survey_invite

pytestmark = pytest.mark.django_db


def _invitations(bank):
    with tenant_scope(bank.tenant):
        return list(EventInvitation.objects.values_list("client_id", "channel"))


def test_a_consenting_client_is_invited_through_its_channel_and_the_outbox(bank):
    event = make_event(bank)
    c = make_client(bank)
    (inv,) = invite(bank, event, c)
    assert inv.channel == "email" and inv.status == "invited"
    with tenant_scope(bank.tenant):
        assert EventMessage.objects.filter(invitation=inv, kind="invitation").exists()


def test_a_client_without_consent_gets_a_link_only_invitation(bank):
    event = make_event(bank)
    c = make_client(bank, consent=())
    (inv,) = invite(bank, event, c)
    assert inv.channel == "link"
    with tenant_scope(bank.tenant):
        assert not EventMessage.objects.filter(invitation=inv).exists()


def test_a_client_reached_within_the_survey_interval_refuses_the_whole_post(bank):
    event = make_event(bank)
    fine, surveyed = make_client(bank), make_client(bank)
    survey_invite(bank, surveyed)
    with pytest.raises(ValidationError) as err:
        invite(bank, event, fine, surveyed)
    assert "clients" in err.value.message_dict
    assert str(surveyed.pk) in " ".join(err.value.message_dict["clients"])
    assert _invitations(bank) == []  # atomic: the fine client is not invited either


def test_an_open_service_recovery_refuses_the_invitation(bank):
    event = make_event(bank)
    c = make_client(bank)
    answered(bank, c, 2)  # a detractor: an open recovery
    with tenant_scope(bank.tenant):
        SurveyInvitation.objects.filter(client=c).update(sent_at="2000-01-01T00:00Z")
    with translation.override("en"), pytest.raises(ValidationError) as err:
        invite(bank, event, c)
    assert "open service recovery" in " ".join(err.value.message_dict["clients"])


def test_an_invisible_client_is_refused_naming_clients(bank):
    event = make_event(bank)
    theirs = make_client(bank, manager=bank.other_rm)
    with pytest.raises(ValidationError) as err:
        invite(bank, event, theirs, user=bank.rm)
    assert "clients" in err.value.message_dict
    assert _invitations(bank) == []


def test_a_client_is_invited_to_an_event_once(bank):
    event = make_event(bank)
    c = make_client(bank)
    invite(bank, event, c)
    with pytest.raises(ValidationError):
        invite(bank, event, c)


def test_an_event_invitation_spends_the_survey_budget(bank):
    c = make_client(bank)
    invite(bank, make_event(bank), c)
    with tenant_scope(bank.tenant):
        dispatch.survey_dispatch_due()
        assert not SurveyInvitation.objects.filter(client=c).exists()
    with pytest.raises(ValidationError):
        survey_invite(bank, c)


def test_suggestions_match_tiers_and_interests_and_respect_the_budget(bank):
    event = make_event(bank, target_tiers=["platinum"], target_interests=["esg", "art"])
    esg = make_client(bank, tier="platinum", interests=["esg"])
    art = make_client(bank, tier="platinum", interests=["art", "golf"])
    make_client(bank, tier="gold", interests=["esg"])  # wrong tier
    make_client(bank, tier="platinum", interests=["golf"])  # no matching interest
    make_client(bank, tier="platinum", interests=["esg"], lifecycle="prospect")  # not active
    make_client(bank, tier="platinum", interests=["esg"], manager=bank.other_rm)  # not visible
    surveyed = make_client(bank, tier="platinum", interests=["esg"])
    survey_invite(bank, surveyed)  # budget spent
    recovering = make_client(bank, tier="platinum", interests=["esg"])
    answered(bank, recovering, 1)
    with tenant_scope(bank.tenant):
        SurveyInvitation.objects.filter(client=recovering).update(sent_at="2000-01-01T00:00Z")
    invited = make_client(bank, tier="platinum", interests=["esg"])
    invite(bank, event, invited)
    from django.utils import timezone

    with tenant_scope(bank.tenant):
        found = set(
            selectors.suggested_invitees(user=bank.rm, event=event, now=timezone.now()).values_list(
                "pk", flat=True
            )
        )
    assert found == {esg.pk, art.pk}
