"""Writes with rules: weights, KPI definitions, guardrail rules, closing a
period and correcting a closed one. Each checks the acting user, validates
(``ValidationError`` naming the field), runs in one transaction and writes
its audit event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from communications.models import FollowUp
from communications.selectors import followup_list
from tenancy.audit import audit_record
from tenancy.models import Role

from . import periods, selectors
from .config import guardrail_refusal, kpi_settings
from .models import (
    DEFAULT_ALERT_SLA_DAYS,
    DEFAULT_REVENUE_RATES,
    MEASURE_BASES,
    WEIGHTED_DIMENSIONS,
    Dimension,
    ImprovementAction,
    ImprovementActionFollowUp,
    KpiDefinition,
    KpiGuardrailRule,
    KpiPeriodClose,
    KpiSettings,
    KpiSnapshot,
)
from .snapshots import correction_rows, period_is_closed, snapshot_lock


def can_configure(user) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


def _require_admin(user) -> None:
    if not can_configure(user):
        raise PermissionDenied(_("Only a tenant admin may change the KPI configuration."))


def refusal_text(rule: KpiGuardrailRule) -> str:
    return rule.reason_zh if (get_language() or "").startswith("zh") else rule.reason


def kpi_weights_update(*, user, weights: dict) -> KpiSettings:
    """Set the four dimension weights: whole numbers 0–100 summing to 100
    (400 naming the field, or ``weights`` for the sum)."""
    _require_admin(user)
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for name in WEIGHTED_DIMENSIONS:
        value = weights.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            errors[name] = [_("A whole number from 0 to 100.")]
        else:
            clean[name] = value
    if errors:
        raise ValidationError(errors)
    if sum(clean.values()) != 100:
        raise ValidationError(
            {
                "weights": [
                    _("The four weights must add up to 100 (they add up to %(sum)s).")
                    % {"sum": sum(clean.values())}
                ]
            }
        )
    with transaction.atomic():
        row = KpiSettings.objects.select_for_update().first() or kpi_settings()
        before = row.weights()
        for name, value in clean.items():
            setattr(row, name, value)
        row.save()
        audit_record(
            action="performance.weights_updated",
            actor=user,
            target=row,
            data={"before": before, "after": row.weights()},
        )
    return row


def kpi_rates_update(*, user, rates: dict, sla_days: dict) -> KpiSettings:
    """Set the revenue rate per product category (% a year, 0–100) and the
    alert SLA per severity (days, 1–365); a bad value is a 400 naming
    ``rate_<category>`` or ``sla_<severity>``."""
    _require_admin(user)
    errors: dict[str, list[str]] = {}
    clean_rates: dict[str, str] = {}
    for category in DEFAULT_REVENUE_RATES:
        value = _decimal(rates.get(category), f"rate_{category}", errors)
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            errors[f"rate_{category}"] = [_("A rate from 0 to 100.")]
        elif value is not None:
            clean_rates[category] = str(value.quantize(Decimal("0.01")))
    clean_sla: dict[str, int] = {}
    for severity in DEFAULT_ALERT_SLA_DAYS:
        value = sla_days.get(severity)
        try:
            days = int(value)
        except (TypeError, ValueError):
            days = None
        if days is None or not 1 <= days <= 365:
            errors[f"sla_{severity}"] = [_("A whole number of days from 1 to 365.")]
        else:
            clean_sla[severity] = days
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = KpiSettings.objects.select_for_update().first() or kpi_settings()
        before = {"rates": row.revenue_rates, "sla": row.alert_sla_days}
        row.revenue_rates, row.alert_sla_days = clean_rates, clean_sla
        row.save()
        audit_record(
            action="performance.rates_updated",
            actor=user,
            target=row,
            data={"before": before, "after": {"rates": clean_rates, "sla": clean_sla}},
        )
    return row


def _decimal(value, field: str, errors: dict, *, required: bool = True):
    if value in (None, ""):
        if required:
            errors[field] = [_("This field is required.")]
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = [_("A number.")]
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        errors[field] = [_("A number.")]
        return None
    return number


def kpi_definition_save(
    *, user, definition: KpiDefinition | None = None, **fields
) -> KpiDefinition:
    """Create or change a KPI definition. Refused with the guardrail's reason
    (400 naming ``measure``) when a rule forbids the measure on that basis;
    a basis the measure is not computed on is a 400 naming ``basis``."""
    _require_admin(user)
    definition = definition or KpiDefinition()
    measure = fields.get("measure", definition.measure)
    basis = fields.get("basis", definition.basis)
    errors: dict[str, list[str]] = {}
    if measure not in MEASURE_BASES:
        errors["measure"] = [_("Not a measure Steward computes.")]
    else:
        rule = guardrail_refusal(measure, basis)
        if rule is not None:
            raise ValidationError({"measure": [refusal_text(rule)]})
        if basis not in MEASURE_BASES[measure]:
            errors["basis"] = [_("This measure is not computed on this basis.")]
    floor = _decimal(fields.get("floor", definition.floor), "floor", errors)
    target = _decimal(fields.get("target", definition.target), "target", errors)
    challenge = _decimal(
        fields.get("challenge", definition.challenge), "challenge", errors, required=False
    )
    if floor is not None and target is not None and floor == target:
        errors["target"] = [_("The target must differ from the floor.")]
    incomplete = challenge is None or floor is None or target is None
    if not incomplete and (target - floor) * (challenge - target) < 0:
        errors["challenge"] = [_("The challenge target lies beyond the target.")]
    if errors:
        raise ValidationError(errors)
    definition.measure, definition.basis = measure, basis
    definition.floor, definition.target, definition.challenge = floor, target, challenge
    for name in ("dimension", "weight", "active"):
        if name in fields:
            setattr(definition, name, fields[name])
    creating = definition.pk is None
    with transaction.atomic():
        definition.full_clean(exclude=["tenant"], validate_unique=False)
        if (
            KpiDefinition.objects.filter(measure=measure, basis=basis)
            .exclude(pk=definition.pk)
            .exists()
        ):
            raise ValidationError(
                {"measure": [_("There is already a KPI on this measure and basis.")]}
            )
        definition.save()
        audit_record(
            action="performance.definition_created"
            if creating
            else "performance.definition_updated",
            actor=user,
            target=definition,
            data={
                "measure": measure,
                "basis": basis,
                "dimension": definition.dimension,
                "floor": floor,
                "target": target,
                "challenge": challenge,
                "weight": definition.weight,
                "active": definition.active,
            },
        )
    return definition


def guardrail_rule_add(*, user, measure: str, basis: str, reason: str, reason_zh: str):
    """A bank's own rule (the regulatory ones are always there)."""
    _require_admin(user)
    errors = {}
    if measure not in MEASURE_BASES:
        errors["measure"] = [_("Not a measure Steward computes.")]
    if basis and basis not in MEASURE_BASES.get(measure, ()):
        errors["basis"] = [_("This measure is not computed on this basis.")]
    for name, value in (("reason", reason), ("reason_zh", reason_zh)):
        if not (value or "").strip():
            errors[name] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if KpiGuardrailRule.objects.filter(measure=measure, basis=basis).exists():
            raise ValidationError({"measure": [_("This rule exists already.")]})
        rule = KpiGuardrailRule.objects.create(
            measure=measure, basis=basis, reason=reason.strip(), reason_zh=reason_zh.strip()
        )
        audit_record(
            action="performance.guardrail_added",
            actor=user,
            target=rule,
            data={"measure": measure, "basis": basis},
        )
    return rule


def period_close(*, user, period: str) -> KpiPeriodClose:
    """Freeze a period's snapshots (admins; a month that has ended)."""
    _require_admin(user)
    periods.parse_period(period)
    if period >= periods.current_period():
        raise ValidationError({"period": [_("Only a month that has ended can be closed.")]})
    with transaction.atomic():
        snapshot_lock()
        if period_is_closed(period):
            raise ValidationError({"period": [_("This period is closed already.")]})
        if not KpiSnapshot.objects.filter(period=period).exists():
            raise ValidationError({"period": [_("This period has no snapshots.")]})
        closed = KpiPeriodClose.objects.create(
            period=period, closed_by=user, closed_at=timezone.now()
        )
        audit_record(
            action="performance.period_closed", actor=user, target=closed, data={"period": period}
        )
    return closed


def snapshot_correct(*, user, period: str, reason: str) -> int:
    """Compute a closed period again from today's data as a new version of
    every snapshot (the old versions stay, no longer current); audited with
    the reason. Returns the new version number."""
    _require_admin(user)
    periods.parse_period(period)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the period is corrected.")]})
    with transaction.atomic():
        snapshot_lock()
        if not KpiPeriodClose.objects.filter(period=period).exists():
            raise ValidationError(
                {"period": [_("Only a closed period is corrected; an open one is recomputed.")]}
            )
        version = (
            KpiSnapshot.objects.filter(period=period).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        rows = correction_rows(period)
        for row in rows:
            row.version = version
            row.reason = reason.strip()[:500]
            row.corrected_by = user
        KpiSnapshot.objects.filter(period=period, is_current=True).update(is_current=False)
        KpiSnapshot.objects.bulk_create(rows)
        audit_record(
            action="performance.period_corrected",
            actor=user,
            object_type="performance.kpiperiodclose",
            object_id=period,
            data={
                "period": period,
                "version": version,
                "rows": len(rows),
                "reason": reason.strip(),
            },
        )
    return version


# --- improvement actions --------------------------------------------------------------

ACTION_SETTERS = (Role.ADMIN, Role.BRANCH_HEAD)
GOAL_MAX = 500
LINKS_MAX = 20


def can_set_action(user, rm) -> bool:
    """A branch head for the RMs of their subtree, an admin for any RM of the tenant."""
    if getattr(user, "role", None) not in ACTION_SETTERS:
        return False
    return selectors.scorecard_rms(user).filter(pk=rm.pk).exists()


def can_close_action(user, action: ImprovementAction, status: str) -> bool:
    """The RM marks their own action done; whoever may set actions for the RM
    marks it done or drops it."""
    if action.rm_id == user.pk and user.role == Role.RM:
        return status == ImprovementAction.Status.DONE
    return can_set_action(user, action.rm)


def action_create(
    *,
    user,
    rm,
    period: str,
    dimension: str,
    goal: str,
    due_on,
    follow_up_ids=(),
    ip_address: str | None = None,
) -> ImprovementAction:
    """Set an action for ``rm`` from the scorecard of ``period``, linked to open
    follow-ups of the RM that ``user`` may read (400 naming the field)."""
    if not can_set_action(user, rm):
        raise PermissionDenied(_("Only the RM's branch head or an admin may set an action."))
    errors: dict[str, list[str]] = {}
    try:
        periods.parse_period(period)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if period > periods.current_period():
            errors["period"] = [_("A month that has started.")]
    if dimension not in Dimension.values:
        errors["dimension"] = [_("Choose a dimension.")]
    goal = (goal or "").strip()
    if not goal:
        errors["goal"] = [_("Say what the goal is.")]
    elif len(goal) > GOAL_MAX:
        errors["goal"] = [_("At most %(n)s characters.") % {"n": GOAL_MAX}]
    if not isinstance(due_on, date):
        errors["due_on"] = [_("A date (YYYY-MM-DD).")]
    elif due_on < periods.today_local():
        errors["due_on"] = [_("A date from today on.")]
    ids = {int(i) for i in follow_up_ids if str(i).isdigit() and len(str(i)) < 19}
    if len(ids) != len(list(follow_up_ids)) or len(ids) > LINKS_MAX:
        errors["follow_ups"] = [
            _("Choose up to %(n)s of the RM's open follow-ups.") % {"n": LINKS_MAX}
        ]
    follow_ups = []
    if ids and "follow_ups" not in errors:
        follow_ups = list(
            followup_list(user=user)
            .filter(pk__in=ids, assignee=rm, status=FollowUp.Status.OPEN)
            .values_list("pk", flat=True)
        )
        if len(follow_ups) != len(ids):
            errors["follow_ups"] = [
                _("Choose up to %(n)s of the RM's open follow-ups.") % {"n": LINKS_MAX}
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = ImprovementAction.objects.create(
            rm=rm,
            set_by=user,
            period=period,
            dimension=dimension,
            goal=goal,
            due_on=due_on,
            created_at=timezone.now(),
        )
        ImprovementActionFollowUp.objects.bulk_create(
            [
                ImprovementActionFollowUp(tenant_id=action.tenant_id, action=action, follow_up_id=f)
                for f in follow_ups
            ]
        )
        audit_record(
            action="performance.action_set",
            actor=user,
            target=action,
            data={
                "rm": rm.pk,
                "period": period,
                "dimension": dimension,
                "due_on": due_on.isoformat(),
                "follow_ups": sorted(follow_ups),
            },
            ip_address=ip_address,
        )
    return action


def action_close(
    *, user, action: ImprovementAction, status: str, note: str = "", ip_address=None
) -> ImprovementAction:
    """Mark an open action done or dropped, with an optional note (audited)."""
    closing = (ImprovementAction.Status.DONE, ImprovementAction.Status.DROPPED)
    if status not in closing:
        raise ValidationError({"status": [_("Choose done or dropped.")]})
    if not can_close_action(user, action, status):
        raise PermissionDenied(_("You may not change this action."))
    note = (note or "").strip()
    if len(note) > GOAL_MAX:
        raise ValidationError({"note": [_("At most %(n)s characters.") % {"n": GOAL_MAX}]})
    with transaction.atomic():
        locked = ImprovementAction.objects.select_for_update().get(pk=action.pk)
        if locked.status != ImprovementAction.Status.OPEN:
            raise ValidationError({"status": [_("This action is already closed.")]})
        locked.status, locked.note = status, note
        locked.closed_at, locked.closed_by = timezone.now(), user
        locked.save(update_fields=["status", "note", "closed_at", "closed_by"])
        audit_record(
            action=f"performance.action_{status}",
            actor=user,
            target=locked,
            data={"rm": locked.rm_id, "period": locked.period, "status": status},
            ip_address=ip_address,
        )
    return locked
