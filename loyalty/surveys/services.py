"""Writes with rules: survey templates, staff invitations, the client's
answer (and the service recovery it opens), recording a recovery, the
survey settings. Each runs in one transaction and is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.access import can_see_client, client_get, tenant_clients
from clients.services import clients_lock
from tenancy.audit import audit_record
from tenancy.context import require_tenant_id
from tenancy.models import Branch, Role, Tenant
from tenancy.notify import Notice, notify
from tenancy.schedules import enqueue_after_commit
from tenancy.selectors import tenant_staff

from ..models import (
    ServiceRecovery,
    Survey,
    SurveyChannel,
    SurveyInvitation,
    SurveyKind,
    SurveyMessage,
    SurveyResponse,
    SurveySettings,
)
from .budget import budget_spent_q, channel_for, open_recovery_q
from .config import forget_survey_settings, survey_settings

RECOVERY_HOURS = 48
REFERRAL_DAYS = 7
DISPATCH_LOCK = 71_000_010  # pg_advisory_xact_lock(class, tenant id): one dispatcher per tenant

DEFAULT_NPS = {
    "name": "NPS",
    "kind": SurveyKind.NPS,
    "question": "How likely are you to recommend our bank to a friend or colleague?",
    "question_zh": "您有多大可能向朋友或同事推荐我行？",
}
SCORE_RANGE = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}


def category_of(kind: str, score: int) -> str:
    """promoter 9–10, passive 7–8, detractor 0–6 (NPS); CSAT answers have none."""
    if kind != SurveyKind.NPS:
        return ""
    if score >= 9:
        return SurveyResponse.Category.PROMOTER
    if score >= 7:
        return SurveyResponse.Category.PASSIVE
    return SurveyResponse.Category.DETRACTOR


def dispatch_lock() -> None:
    """Serialise whatever spends the tenant's contact budget (the sweeps and
    staff invitations) for the rest of the transaction: two dispatchers can
    never both see a client as not yet surveyed. PostgreSQL only (SQLite has
    one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [DISPATCH_LOCK, require_tenant_id()]
            )


# --- templates ------------------------------------------------------------------------


def survey_defaults_ensure() -> Survey:
    """The tenant in scope's active NPS template, created when it has none
    (every new tenant starts with one)."""
    found = Survey.objects.filter(kind=SurveyKind.NPS, active=True).order_by("-created_at", "-pk")
    survey = found.first()
    if survey is None:
        survey = Survey.objects.create(**DEFAULT_NPS)
    return survey


def survey_create(
    *, user, name: str, kind: str, question: str, question_zh: str = "", active: bool = True
) -> Survey:
    """A new template (admins only: PermissionDenied)."""
    if user.role != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may do this."))
    survey = Survey(
        name=(name or "").strip(),
        kind=kind,
        question=(question or "").strip(),
        question_zh=(question_zh or "").strip(),
        active=active,
    )
    survey.full_clean(exclude=["tenant"])
    with transaction.atomic():
        survey.save()
        audit_record(
            action="loyalty.survey_created",
            actor=user,
            target=survey,
            data={"kind": kind, "active": active},
        )
    return survey


def survey_set_active(*, user, survey: Survey, active: bool) -> Survey:
    if user.role != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may do this."))
    with transaction.atomic():
        survey.active = active
        survey.save(update_fields=["active"])
        audit_record(
            action="loyalty.survey_updated", actor=user, target=survey, data={"active": active}
        )
    return survey


# --- staff invitations ----------------------------------------------------------------


def may_invite(user, client) -> bool:
    """Anyone who sees the client except compliance (read-only)."""
    return user.role in (Role.ADMIN, Role.BRANCH_HEAD, Role.RM, Role.RISK_OFFICER)


def invitation_create(
    *, user, client_id, survey: Survey | None = None, now: datetime | None = None
) -> SurveyInvitation:
    """Invite a client the user sees (404 otherwise) to a survey (the
    tenant's active NPS template by default). Refused (ValidationError on
    ``client``) when the contact budget is spent: another survey or outreach
    within the survey interval, or an open service recovery. Without consent
    for any channel the invitation is a link only: staff copy it and hand it
    over; with consent it is also sent through the client's channel."""
    client = client_get(user=user, client_id=client_id)
    if not may_invite(user, client):
        raise PermissionDenied(_("Compliance reads surveys but does not send them."))
    now = now or timezone.now()
    if survey is None:
        survey = survey_defaults_ensure()
    elif not survey.active:
        raise ValidationError({"survey": [_("This survey template is not active.")]})
    settings = survey_settings()
    with transaction.atomic():
        dispatch_lock()
        clients_lock(client_ids=[client.pk])
        row = tenant_clients().filter(pk=client.pk)
        if row.filter(open_recovery_q()).exists():
            raise ValidationError(
                {"client": [_("This client has an open service recovery; survey it after.")]}
            )
        if row.filter(budget_spent_q(now=now)).exists():
            raise ValidationError(
                {
                    "client": [
                        _("This client was already invited within the last %(days)s days.")
                        % {"days": settings.survey_interval_days}
                    ]
                }
            )
        channel = channel_for(client) or SurveyChannel.LINK
        invitation = SurveyInvitation.objects.create(
            client=client,
            survey=survey,
            reason=SurveyInvitation.Reason.MANUAL,
            trigger_key=f"manual:{now.timestamp():.6f}",
            channel=channel,
            sent_at=now,
            expires_at=now + timedelta(days=settings.link_validity_days),
            created_by=user,
        )
        if channel != SurveyChannel.LINK:
            SurveyMessage.objects.create(
                invitation=invitation,
                kind=SurveyMessage.Kind.INVITATION,
                channel=channel,
                created_at=now,
            )
            enqueue_after_commit(
                "loyalty.tasks.survey_messages_send", tenant_id=invitation.tenant_id
            )
        audit_record(
            action="loyalty.invitation_created",
            actor=user,
            target=invitation,
            data={"client": client.pk, "survey": survey.pk, "channel": channel},
        )
    return invitation


def invitation_status(invitation: SurveyInvitation, now: datetime | None = None) -> str:
    """sent, answered, or expired (a sent link past ``expires_at``)."""
    if invitation.status == SurveyInvitation.Status.SENT and invitation.expires_at <= (
        now or timezone.now()
    ):
        return SurveyInvitation.Status.EXPIRED
    return invitation.status


# --- the client's answer --------------------------------------------------------------


class Gone(Exception):
    """The invitation was answered or has expired (the page answers 410)."""


def _branch_heads(branch: Branch) -> list[int]:
    """The active branch heads of the client's branch, else of its nearest
    ancestor that has one."""
    ancestors = [int(p) for p in branch.path.strip("/").split("/") if p] or [branch.pk]
    heads = list(
        tenant_staff()
        .filter(role=Role.BRANCH_HEAD, is_active=True, branch_id__in=ancestors)
        .values_list("pk", "branch_id")
    )
    for branch_id in reversed(ancestors):
        found = [pk for pk, b in heads if b == branch_id]
        if found:
            return found
    return []


def _recovery_notices(recovery: ServiceRecovery, client, response: SurveyResponse) -> list[Notice]:
    url = reverse("loyalty:recovery", args=[recovery.pk])
    title = _("Detractor: %(client)s answered %(score)s — service recovery due in 48 hours") % {
        "client": client.name,
        "score": response.score,
    }
    body = _("Call the client, record what was done and the outcome.")
    recipients = set(_branch_heads(client.branch))
    if recovery.manager_id:
        recipients.add(recovery.manager_id)
    return [
        Notice(recipient_id=r, title=title, body=body, url=url, created_at=recovery.opened_at)
        for r in sorted(recipients)
    ]


def response_record(
    *, invitation_id: int, score, comment: str = "", now: datetime | None = None
) -> SurveyResponse:
    """Record the client's answer to a live invitation, in the tenant scope
    the token named. Gone when answered or expired (nothing recorded);
    ValidationError on ``score`` or ``comment``. A detractor's answer opens,
    in the same transaction, a service recovery for the dedicated manager
    due 48 hours later and notifies the manager and the branch head; with
    ``referral_ask`` a promoter's answer opens a referral follow-up."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("survey", "client__branch", "client__dedicated_manager")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            raise Http404
        if invitation_status(invitation, now) != SurveyInvitation.Status.SENT:
            raise Gone
        kind = invitation.survey.kind
        low, high = SCORE_RANGE[kind]
        try:
            value = int(str(score).strip())
        except (TypeError, ValueError):
            value = None
        if value is None or not low <= value <= high:
            raise ValidationError(
                {
                    "score": [
                        _("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high}
                    ]
                }
            )
        comment = (comment or "").strip()
        if len(comment) > 2000:
            raise ValidationError({"comment": [_("Keep the comment under 2,000 characters.")]})
        client = invitation.client
        manager = client.dedicated_manager
        manager_id = manager.pk if manager is not None and manager.is_active else None
        response = SurveyResponse.objects.create(
            invitation=invitation,
            client=client,
            survey=invitation.survey,
            kind=kind,
            score=value,
            category=category_of(kind, value),
            comment=comment,
            answered_at=now,
            manager_id=client.dedicated_manager_id,
            branch_id=client.branch_id,
            tier=client.tier,
        )
        invitation.status = SurveyInvitation.Status.ANSWERED
        invitation.answered_at = now
        invitation.save(update_fields=["status", "answered_at"])
        tenant = Tenant.objects.get(pk=invitation.tenant_id)
        opened = None
        if response.category == SurveyResponse.Category.DETRACTOR:
            opened = ServiceRecovery.objects.create(
                kind=ServiceRecovery.Kind.RECOVERY,
                client=client,
                response=response,
                manager_id=manager_id,
                opened_at=now,
                due_at=now + timedelta(hours=RECOVERY_HOURS),
            )
            with translation.override(tenant.locale):
                notify(_recovery_notices(opened, client, response))
        elif (
            response.category == SurveyResponse.Category.PROMOTER and survey_settings().referral_ask
        ):
            opened = ServiceRecovery.objects.create(
                kind=ServiceRecovery.Kind.REFERRAL,
                client=client,
                response=response,
                manager_id=manager_id,
                opened_at=now,
                due_at=now + timedelta(days=REFERRAL_DAYS),
            )
            with translation.override(tenant.locale):
                notify(
                    [
                        Notice(
                            recipient_id=manager_id,
                            title=_("Promoter: ask %(client)s for a referral")
                            % {"client": client.name},
                            url=reverse("loyalty:recovery", args=[opened.pk]),
                            created_at=now,
                        )
                    ]
                    if manager_id
                    else []
                )
        audit_record(
            action="loyalty.survey_answered",
            target=response,
            data={
                "client": client.pk,
                "invitation": invitation.pk,
                "category": response.category,
                "follow_up": opened.pk if opened else None,
            },
        )
    return response


# --- recovery -------------------------------------------------------------------------


def may_record_recovery(user, recovery: ServiceRecovery) -> bool:
    """The assigned manager, the client's managers, branch heads who see the
    client, and admins; never compliance (read-only)."""
    if user.role == Role.COMPLIANCE:
        return False
    if user.role in (Role.ADMIN, Role.BRANCH_HEAD):
        return True
    return user.pk in (
        recovery.manager_id,
        recovery.client.dedicated_manager_id,
        recovery.client.backup_manager_id,
    )


def recovery_record(
    *, user, recovery: ServiceRecovery, action: str, outcome: str, close: bool = False
) -> ServiceRecovery:
    """Record what was done and the outcome; ``close`` closes it (both
    needed then: ValidationError on the missing one). A closed one is final."""
    if not can_see_client(user, recovery.client) or not may_record_recovery(user, recovery):
        raise PermissionDenied(_("Only the client's managers and their branch head record this."))
    if recovery.status == ServiceRecovery.Status.CLOSED:
        raise ValidationError({"status": [_("This follow-up is already closed.")]})
    action, outcome = (action or "").strip(), (outcome or "").strip()
    errors = {}
    if close and not action:
        errors["action"] = [_("Say what was done before closing.")]
    if close and not outcome:
        errors["outcome"] = [_("Record the outcome before closing.")]
    if len(action) > 4000:
        errors["action"] = [_("Keep this under 4,000 characters.")]
    if len(outcome) > 4000:
        errors["outcome"] = [_("Keep this under 4,000 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recovery.action, recovery.outcome = action, outcome
        fields = ["action", "outcome"]
        if close:
            recovery.status = ServiceRecovery.Status.CLOSED
            recovery.closed_at = timezone.now()
            recovery.closed_by = user
            fields += ["status", "closed_at", "closed_by"]
        recovery.save(update_fields=fields)
        audit_record(
            action="loyalty.recovery_closed" if close else "loyalty.recovery_updated",
            actor=user,
            target=recovery,
            data={"client": recovery.client_id, "changes": ["action", "outcome"]},
        )
    return recovery


# --- settings -------------------------------------------------------------------------

SETTINGS_FIELDS = (
    "survey_interval_days",
    "after_meeting_delay_hours",
    "periodic_interval_days",
    "link_validity_days",
    "first_reminder_days",
    "second_reminder_days",
    "resurvey_after_recovery_days",
    "referral_ask",
)


def survey_settings_update(*, user, **values) -> SurveySettings:
    """Admins only. The second reminder comes after the first and before the
    link expires (ValidationError naming the field)."""
    if user.role != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may do this."))
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown setting.")]})
    with transaction.atomic():
        obj = SurveySettings.objects.select_for_update().first() or SurveySettings()
        before = {f: getattr(obj, f) for f in SETTINGS_FIELDS}
        for field, value in values.items():
            setattr(obj, field, value)
        obj.full_clean(exclude=["tenant"])
        if obj.second_reminder_days <= obj.first_reminder_days:
            raise ValidationError(
                {"second_reminder_days": [_("The second reminder comes after the first.")]}
            )
        if obj.second_reminder_days >= obj.link_validity_days:
            raise ValidationError(
                {"second_reminder_days": [_("Reminders come before the link expires.")]}
            )
        obj.save()
        forget_survey_settings()
        changed = {
            f: [before[f], getattr(obj, f)] for f in SETTINGS_FIELDS if before[f] != getattr(obj, f)
        }
        audit_record(action="loyalty.survey_settings_updated", actor=user, target=obj, data=changed)
    return obj
