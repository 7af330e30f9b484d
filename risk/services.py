"""Risk writes with rules: settings and scale (created lazily), assessments
through draft → submitted → approved / rejected, collateral, credit limits,
loan arrears and the classification. Each write runs in one transaction and
is audited. Rules raise ``ValidationError`` (400, naming the field),
``PermissionDenied`` (403) or ``StateConflict`` (409)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.access import tenant_clients
from tenancy.audit import audit_record
from tenancy.notify import Notice, notify
from tenancy.timezones import tenant_zone

from . import policy, rules
from .configuration import SETTINGS_FIELDS as SETTINGS_FIELDS
from .configuration import risk_settings_update as risk_settings_update
from .models import (
    Classification,
    ClientClassification,
    ClientRating,
    Collateral,
    CollateralKind,
    CreditLimit,
    RiskAlert,
    RiskAssessment,
)
from .scale import rating_scale, risk_settings
from .selectors import client_classification, current_rating


class StateConflict(Exception):
    """The object is not in a state that allows this (HTTP 409)."""


# --- assessments ---------------------------------------------------------------------------


def _scores(data: dict, base: RiskAssessment | None = None) -> dict:
    errors = {}
    out = {}
    for name in ("credit_score", "market_score", "operational_score"):
        value = data.get(name, getattr(base, name, None) if base else None)
        if value is None or isinstance(value, bool):
            errors[name] = _("A score from 0 to 100 is required.")
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors[name] = _("A score from 0 to 100 is required.")
            continue
        if not 0 <= value <= 100:
            errors[name] = _("A score from 0 to 100 is required.")
        out[name] = value
    if errors:
        raise ValidationError(errors)
    return out


def _rate(assessment: RiskAssessment) -> None:
    """Composite, scale rating and effective rating from the scores and override."""
    s = risk_settings(persist=True)
    scale = rating_scale(persist=True)
    assessment.composite = rules.composite_score(
        credit=assessment.credit_score,
        market=assessment.market_score,
        operational=assessment.operational_score,
        weights=(s.weight_credit, s.weight_market, s.weight_operational),
    )
    assessment.scale_rating = rules.rating_for(assessment.composite, scale)
    override = (assessment.rating_override or "").strip()
    reason = (assessment.override_reason or "").strip()
    if override and override not in {g.code for g in scale}:
        raise ValidationError({"rating_override": _("Choose a rating of the master scale.")})
    if override and not reason:
        raise ValidationError({"override_reason": _("An override needs a reason.")})
    assessment.rating_override = override
    assessment.override_reason = reason if override else ""
    assessment.rating = override or assessment.scale_rating


def _snapshot(user, client) -> dict:
    current = current_rating(client=client)
    return {
        "aum": str(client.aum),
        "exposure": str(client.exposure),
        "classification": client_classification(user=user, client=client)["classification"],
        "rating": current.rating if current else "",
        "taken_at": timezone.now().isoformat(),
    }


def assessment_create(
    *,
    user,
    client,
    credit_score,
    market_score,
    operational_score,
    rating_override: str = "",
    override_reason: str = "",
    rationale: str = "",
) -> RiskAssessment:
    """A draft by an RM managing the client, a branch head (subtree) or a risk
    officer (else PermissionDenied). ``client`` came from ``client_get``."""
    if not policy.can_assess(user, client):
        raise PermissionDenied(_("You may not assess this client's risk."))
    scores = _scores(
        {
            "credit_score": credit_score,
            "market_score": market_score,
            "operational_score": operational_score,
        }
    )
    with transaction.atomic():
        a = RiskAssessment(
            client=client,
            author=user,
            rating_override=rating_override or "",
            override_reason=override_reason or "",
            rationale=rationale or "",
            **scores,
        )
        _rate(a)
        a.snapshot = _snapshot(user, client)
        a.save()
        audit_record(action="risk.assessment_created", actor=user, target=a, data=_audit_data(a))
    return a


EDITABLE = (
    "credit_score",
    "market_score",
    "operational_score",
    "rating_override",
    "override_reason",
    "rationale",
)


def _locked(assessment_id) -> RiskAssessment:
    return (
        RiskAssessment.objects.select_for_update(of=("self",))
        .select_related("client__branch", "author")
        .get(pk=assessment_id)
    )


def assessment_update(*, user, assessment: RiskAssessment, **fields) -> RiskAssessment:
    """Only the author edits, and only while draft (StateConflict afterwards)."""
    with transaction.atomic():
        a = _locked(assessment.pk)
        if a.author_id != user.pk:
            raise PermissionDenied(_("Only the author edits a draft."))
        if a.status != RiskAssessment.Status.DRAFT:
            raise StateConflict(_("Only a draft can be changed."))
        unknown = set(fields) - set(EDITABLE)
        if unknown:
            raise ValidationError({f: _("This field cannot be changed.") for f in unknown})
        scores = _scores(fields, base=a)
        for name, value in fields.items():
            setattr(a, name, value if value is not None else "")
        for name, value in scores.items():
            setattr(a, name, value)
        _rate(a)
        a.snapshot = _snapshot(user, a.client)
        a.save()
        audit_record(action="risk.assessment_updated", actor=user, target=a, data=_audit_data(a))
    return a


def assessment_submit(*, user, assessment: RiskAssessment) -> RiskAssessment:
    """draft → submitted, by the author only."""
    with transaction.atomic():
        a = _locked(assessment.pk)
        if a.author_id != user.pk:
            raise PermissionDenied(_("Only the author submits an assessment."))
        if a.status != RiskAssessment.Status.DRAFT:
            raise StateConflict(_("Only a draft can be submitted."))
        a.status = RiskAssessment.Status.SUBMITTED
        a.submitted_at = timezone.now()
        a.snapshot = _snapshot(user, a.client)
        a.save(update_fields=["status", "submitted_at", "snapshot", "updated_at"])
        audit_record(action="risk.assessment_submitted", actor=user, target=a)
    return a


def decider_refusal(user, a: RiskAssessment) -> str | None:
    """Why ``user`` may not decide on ``a`` (None when they may)."""
    if a.author_id == user.pk:
        return _("Four eyes: the author cannot decide on their own assessment.")
    if not policy.is_approver_for(user, a.client):
        return _("Only risk officers and the client's branch head decide.")
    return None


def _check_decider(user, a: RiskAssessment) -> None:
    refusal = decider_refusal(user, a)
    if refusal:
        raise PermissionDenied(refusal)
    if a.status != RiskAssessment.Status.SUBMITTED:
        raise StateConflict(_("Only a submitted assessment can be decided."))


def assessment_approve(*, user, assessment: RiskAssessment) -> RiskAssessment:
    """submitted → approved by a risk officer or the client's branch head, never
    the author. Sets the next review from the rating and makes the rating the
    client's current one (superseding the previous)."""
    with transaction.atomic():
        a = _locked(assessment.pk)
        _check_decider(user, a)
        now = timezone.now()
        today = now.astimezone(tenant_zone(user.tenant)).date()
        months = rules.review_months_for(a.rating, rating_scale(persist=True))
        a.status = RiskAssessment.Status.APPROVED
        a.approved_by = user
        a.approved_at = now
        a.approved_branch_id = (
            tenant_clients().filter(pk=a.client_id).values_list("branch_id", flat=True).first()
        )
        a.next_review_at = rules.add_months(today, months)
        a.save(
            update_fields=[
                "status",
                "approved_by",
                "approved_at",
                "approved_branch",
                "next_review_at",
                "updated_at",
            ]
        )
        previous = ClientRating.objects.select_for_update().filter(client_id=a.client_id).first()
        if previous is None:
            ClientRating.objects.create(
                client_id=a.client_id,
                assessment=a,
                rating=a.rating,
                approved_at=now,
                next_review_at=a.next_review_at,
            )
        else:
            previous.assessment = a
            previous.rating = a.rating
            previous.approved_at = now
            previous.next_review_at = a.next_review_at
            previous.save(update_fields=["assessment", "rating", "approved_at", "next_review_at"])
        audit_record(
            action="risk.assessment_approved",
            actor=user,
            target=a,
            data={
                **_audit_data(a),
                "previous_rating": previous.rating if previous else "",
                "next_review_at": a.next_review_at,
            },
        )
        _notify_author(a, approved=True)
    return a


def _notify_author(a: RiskAssessment, *, approved: bool) -> None:
    """The author learns the outcome in the notifications centre, in their own
    language, in the transaction that decides (tenancy.notify)."""
    author = a.author
    with translation.override(author.language or author.tenant.locale):
        args = {"client": a.client.name, "rating": a.rating}
        if approved:
            title = _("Assessment approved: %(client)s, rating %(rating)s") % args
            body = ""
        else:
            title = _("Assessment rejected: %(client)s") % args
            body = a.rejection_reason
    notify(
        [
            Notice(
                recipient_id=author.pk,
                title=title,
                body=body,
                url=reverse("risk:assessment_detail", args=[a.pk]),
            )
        ]
    )


def assessment_reject(*, user, assessment: RiskAssessment, reason: str) -> RiskAssessment:
    """submitted → rejected with a reason (same approvers as approval)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        a = _locked(assessment.pk)
        _check_decider(user, a)
        if not reason:
            raise ValidationError({"reason": _("A rejection needs a reason.")})
        a.status = RiskAssessment.Status.REJECTED
        a.rejected_by = user
        a.rejected_at = timezone.now()
        a.rejection_reason = reason
        a.save(
            update_fields=["status", "rejected_by", "rejected_at", "rejection_reason", "updated_at"]
        )
        audit_record(
            action="risk.assessment_rejected", actor=user, target=a, data={"reason": reason}
        )
        _notify_author(a, approved=False)
    return a


def _audit_data(a: RiskAssessment) -> dict:
    return {
        "client": a.client_id,
        "scores": [a.credit_score, a.market_score, a.operational_score],
        "composite": a.composite,
        "rating": a.rating,
        "override": a.rating_override,
    }


# --- collateral and limits -----------------------------------------------------------------

COLLATERAL_FIELDS = (
    "kind",
    "description",
    "market_value",
    "currency",
    "haircut_pct",
    "valued_at",
    "next_revaluation_at",
    "guarantor",
)


def collateral_create(*, user, client, **fields) -> Collateral:
    """By the client's managers, branch heads (subtree) and risk officers; the
    haircut defaults to the tenant's figure for the kind."""
    if not policy.can_assess(user, client):
        raise PermissionDenied(_("You may not register collateral for this client."))
    kind = fields.get("kind")
    if kind not in CollateralKind.values:
        raise ValidationError({"kind": _("Choose a kind of collateral.")})
    if fields.get("haircut_pct") is None:
        fields["haircut_pct"] = risk_settings().haircut_for(kind)
    with transaction.atomic():
        c = Collateral(client=client, **{k: v for k, v in fields.items() if v is not None})
        c.full_clean(exclude=["tenant", "client"])
        c.save()
        audit_record(action="risk.collateral_created", actor=user, target=c, data=_coll(c))
    return c


def collateral_update(*, user, collateral: Collateral, **fields) -> Collateral:
    if not policy.can_assess(user, collateral.client):
        raise PermissionDenied(_("You may not change this client's collateral."))
    unknown = set(fields) - set(COLLATERAL_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed.") for f in unknown})
    with transaction.atomic():
        c = Collateral.objects.select_for_update().get(pk=collateral.pk)
        for name, value in fields.items():
            setattr(c, name, value)
        c.full_clean(exclude=["tenant", "client"])
        c.save()
        audit_record(action="risk.collateral_updated", actor=user, target=c, data=_coll(c))
    return c


def _coll(c: Collateral) -> dict:
    return {
        "client": c.client_id,
        "kind": c.kind,
        "market_value": c.market_value,
        "haircut_pct": c.haircut_pct,
    }


def credit_limit_create(
    *, user, amount: Decimal, currency: str, expires_on: date, client=None, group=None
) -> CreditLimit:
    """Risk officers only. For a client (from ``client_get``) or a household /
    corporate group (from ``risk.groups.group_for_limit``): exactly one of the
    two (ValidationError naming ``client`` or ``group`` otherwise)."""
    if not policy.can_set_limit(user):
        raise PermissionDenied(_("Only risk officers set credit limits."))
    if client is None and group is None:
        raise ValidationError({"client": _("Give a client or a group.")})
    if client is not None and group is not None:
        raise ValidationError({"group": _("A limit is for a client or for a group, not both.")})
    with transaction.atomic():
        limit = CreditLimit(
            client=client,
            group=group,
            amount=amount,
            currency=currency,
            expires_on=expires_on,
            created_by=user,
        )
        limit.full_clean(exclude=["tenant", "client", "group", "created_by"])
        limit.save()
        audit_record(
            action="risk.credit_limit_created",
            actor=user,
            target=limit,
            data={
                "client": client.pk if client else None,
                "group": group.pk if group else None,
                "amount": amount,
                "currency": currency,
                "expires_on": expires_on,
            },
        )
    return limit


# --- classification --------------------------------------------------------


def classification_set(*, user, client, classification: str, reason: str = "") -> dict:
    """Staff classify a client; worse than the floor is free, better is refused."""
    if not policy.can_assess(user, client):
        raise PermissionDenied(_("You may not classify this client."))
    if classification not in Classification.values:
        raise ValidationError({"classification": _("Choose one of the five categories.")})
    with transaction.atomic():
        floor = client_classification(user=user, client=client)["floor"]
        if rules.severity(classification) < rules.severity(floor):
            raise ValidationError(
                {
                    "classification": _(
                        "The loans' days past due set the floor at “%(floor)s”: a client "
                        "cannot be classified better than that."
                    )
                    % {"floor": Classification(floor).label}
                }
            )
        row, _created = ClientClassification.objects.update_or_create(
            client=client,
            defaults={
                "classification": classification,
                "reason": (reason or "").strip(),
                "set_by": user,
                "set_at": timezone.now(),
            },
        )
        audit_record(
            action="risk.classification_set",
            actor=user,
            target=row,
            data={"client": client.pk, "classification": classification, "floor": floor},
        )
    return client_classification(user=user, client=client)


# --- alerts ----------------------------------------------------------------


def alert_update(*, user, alert: RiskAlert, status: str | None = None, note: str | None = None):
    """Acknowledge or resolve an alert (a visible one, from ``selectors.alert_get``)
    and / or change its note. open → acknowledged → resolved, or open → resolved;
    resolving needs a note; a resolved alert never changes (409)."""
    with transaction.atomic():
        alert = (
            RiskAlert.objects.select_for_update(of=("self",))
            .select_related("client")
            .get(pk=alert.pk)
        )
        client = alert.client
        if not policy.can_acknowledge_alert(user, client):
            raise PermissionDenied(_("You may not act on this client's alerts."))
        if alert.status == RiskAlert.Status.RESOLVED:
            raise StateConflict(_("This alert is resolved and can no longer change."))
        note = alert.note if note is None else note.strip()
        target = status or alert.status
        if target not in RiskAlert.Status.values:
            raise ValidationError({"status": _("Choose acknowledged or resolved.")})
        if target == RiskAlert.Status.OPEN and alert.status != RiskAlert.Status.OPEN:
            raise ValidationError({"status": _("An acknowledged alert cannot be reopened.")})
        if status and target == alert.status and target != RiskAlert.Status.OPEN:
            raise StateConflict(
                _("This alert is already %(status)s.") % {"status": alert.get_status_display()}
            )
        now = timezone.now()
        action = "risk.alert_noted"
        if target == RiskAlert.Status.ACKNOWLEDGED and alert.status == RiskAlert.Status.OPEN:
            alert.acknowledged_by, alert.acknowledged_at = user, now
            action = "risk.alert_acknowledged"
        if target == RiskAlert.Status.RESOLVED:
            if not policy.can_resolve_alert(user, client):
                raise PermissionDenied(
                    _("Only risk officers and the branch head resolve this client's alerts.")
                )
            if not note:
                raise ValidationError({"note": _("Say how the alert was resolved.")})
            alert.resolved_by, alert.resolved_at = user, now
            action = "risk.alert_resolved"
        if action == "risk.alert_noted" and note == alert.note:
            return alert
        before = alert.status
        alert.status, alert.note = target, note
        alert.save()
        audit_record(
            action=action,
            actor=user,
            target=alert,
            data={"client": client.pk, "kind": alert.kind, "from": before, "to": target},
        )
        if action == "risk.alert_resolved":
            _notify_manager_resolved(alert, user)
    return alert


def _notify_manager_resolved(alert: RiskAlert, user) -> None:
    manager = alert.client.dedicated_manager
    if manager is None or manager.pk == user.pk or not manager.is_active:
        return
    with translation.override(manager.language or manager.tenant.locale):
        title = _("Risk alert resolved: %(client)s — %(kind)s") % {
            "client": alert.client.name,
            "kind": alert.get_kind_display(),
        }
    notify(
        [
            Notice(
                recipient_id=manager.pk,
                title=title,
                body=alert.note,
                url=reverse("risk:alert_detail", args=[alert.pk]),
            )
        ]
    )
