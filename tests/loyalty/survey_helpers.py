"""Builders for the survey tests, inside a bank's scope."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from loyalty.models import SurveyInvitation
from loyalty.surveys import services
from loyalty.surveys.links import invitation_token
from tenancy.context import tenant_scope
from tests.factories import ClientFactory


def make_client(bank, *, manager=None, branch=None, consent=("email",), **kw):
    kw.setdefault("email", "client@example.com")
    kw.setdefault("email_index", "x" if kw["email"] else "")
    kw.setdefault("lifecycle", "active")
    return ClientFactory(
        tenant=bank.tenant,
        branch=branch or bank.branch,
        dedicated_manager=bank.rm if manager is None else manager,
        marketing_consent=dict.fromkeys(consent, True),
        **kw,
    )


def invite(bank, client, *, user=None, now=None):
    with tenant_scope(bank.tenant):
        return services.invitation_create(user=user or bank.rm, client_id=client.pk, now=now)


def token_of(invitation) -> str:
    return invitation_token(tenant_id=invitation.tenant_id, invitation_id=invitation.pk)


def answer(bank, invitation, score, comment="", now=None):
    with tenant_scope(bank.tenant):
        return services.response_record(
            invitation_id=invitation.pk, score=score, comment=comment, now=now
        )


def answered(bank, client, score, *, at=None, comment=""):
    """An invitation answered at ``at`` (default now), whatever the budget."""
    at = at or timezone.now()
    with tenant_scope(bank.tenant):
        inv = SurveyInvitation.objects.create(
            client=client,
            survey=services.survey_defaults_ensure(),
            reason=SurveyInvitation.Reason.MANUAL,
            trigger_key=f"t:{at.timestamp()}:{client.pk}:{score}:{SurveyInvitation.objects.count()}",
            channel="email",
            sent_at=at - timedelta(hours=1),
            expires_at=at + timedelta(days=14),
        )
        return services.response_record(invitation_id=inv.pk, score=score, comment=comment, now=at)
