"""Writes of the risk settings page and API: the tenant's settings and the
review months and PD of each grade of its master scale, in one transaction,
audited with the names of what changed (never the values). Re-exported by
``risk.services``. Rules raise ``ValidationError`` naming the field or
``PermissionDenied``."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tenancy.audit import audit_record
from tenancy.context import scope_memo

from . import policy
from .models import DEFAULT_HAIRCUTS, CollateralKind, RatingGrade, RiskSettings
from .scale import rating_scale, risk_settings

# --- settings ------------------------------------------------------------------------------

SETTINGS_FIELDS = (
    "weight_credit",
    "weight_market",
    "weight_operational",
    "tier1_capital",
    "net_capital",
    "single_client_cap_pct",
    "client_loans_cap_pct",
    "large_exposure_pct",
    "group_cap_pct",
    "kyc_refresh_years_high",
    "kyc_refresh_years_medium",
    "kyc_refresh_years_low",
    "real_estate_revaluation_months",
    "reminder_lead_days",
    "coverage_alert_ratio",
    "large_outflow_pct",
)
WEIGHTS = ("weight_credit", "weight_market", "weight_operational")
PERCENTAGES = (
    "single_client_cap_pct",
    "client_loans_cap_pct",
    "large_exposure_pct",
    "group_cap_pct",
    "large_outflow_pct",
)
AT_LEAST_ONE = (
    "kyc_refresh_years_high",
    "kyc_refresh_years_medium",
    "kyc_refresh_years_low",
    "real_estate_revaluation_months",
)
GRADE_FIELDS = ("review_months", "pd_pct")


def _label(name: str) -> str:
    return str(RiskSettings._meta.get_field(name).verbose_name)


def _decimal(value, name: str, errors: dict) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (ArithmeticError, TypeError, ValueError):
        errors[name] = _("%(field)s: enter a number.") % {"field": _label(name)}
        return None


def _check_settings(obj: RiskSettings) -> None:
    """The rules of the settings page and API, each error naming its field."""
    errors: dict = {}
    weights = []
    for name in WEIGHTS:
        w = _decimal(getattr(obj, name), name, errors)
        if w is not None and not Decimal("0") <= w <= Decimal("1"):
            errors[name] = _("%(field)s must be between 0 and 1.") % {"field": _label(name)}
        weights.append(w)
    if not errors and sum(weights) != Decimal("1"):
        errors["weights"] = _(
            "The weights of credit, market and operational risk must sum to 1.00 (now %(sum)s)."
        ) % {"sum": f"{sum(weights):.2f}"}
    for name in PERCENTAGES:
        v = _decimal(getattr(obj, name), name, errors)
        if v is not None and not Decimal("0") <= v <= Decimal("100"):
            errors[name] = _("%(field)s must be between 0 and 100.") % {"field": _label(name)}
    for name in ("tier1_capital", "net_capital", "coverage_alert_ratio"):
        v = _decimal(getattr(obj, name), name, errors)
        if v is not None and v < 0:
            errors[name] = _("%(field)s cannot be negative.") % {"field": _label(name)}
    for name in AT_LEAST_ONE:
        v = getattr(obj, name)
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            errors[name] = _("%(field)s must be at least 1.") % {"field": _label(name)}
    if not isinstance(obj.reminder_lead_days, int) or obj.reminder_lead_days < 0:
        errors["reminder_lead_days"] = _("%(field)s cannot be negative.") % {
            "field": _label("reminder_lead_days")
        }
    haircuts = obj.haircuts if isinstance(obj.haircuts, dict) else {}
    for kind in set(haircuts) - set(CollateralKind.values):
        errors[f"haircut_{kind}"] = _("“%(kind)s” is not a kind of collateral.") % {"kind": kind}
    for kind, label in CollateralKind.choices:
        name = f"haircut_{kind}"
        v = _decimal(haircuts.get(kind, DEFAULT_HAIRCUTS[kind]), name, errors)
        if v is not None and not Decimal("0") <= v <= Decimal("100"):
            errors[name] = _("Haircut for %(kind)s must be between 0 and 100.") % {"kind": label}
    if errors:
        raise ValidationError(errors)


def _check_grades(changes: dict, codes: set) -> dict:
    """``{code: {review_months, pd_pct}}`` validated: months 1–12, PD 0–100 or empty."""
    errors: dict = {}
    clean: dict = {}
    for code, values in changes.items():
        if code not in codes:
            errors["scale"] = _("“%(code)s” is not a grade of the master scale.") % {"code": code}
            continue
        unknown = set(values) - set(GRADE_FIELDS)
        if unknown:
            errors["scale"] = _("Only the review months and the PD of a grade can be changed.")
            continue
        out = {}
        if "review_months" in values:
            months = values["review_months"]
            if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
                errors[f"scale.{code}.review_months"] = _(
                    "%(code)s: review every 1 to 12 months."
                ) % {"code": code}
            out["review_months"] = months
        if "pd_pct" in values:
            pd = values["pd_pct"]
            if pd not in (None, ""):
                pd = _decimal(pd, f"scale.{code}.pd_pct", errors)
                if pd is not None and not Decimal("0") <= pd <= Decimal("100"):
                    errors[f"scale.{code}.pd_pct"] = _(
                        "%(code)s: the probability of default is a percentage from 0 to 100."
                    ) % {"code": code}
            out["pd_pct"] = pd if pd != "" else None
        clean[code] = out
    if errors:
        raise ValidationError(errors)
    return clean


def risk_settings_update(*, user, scale: dict | None = None, **fields) -> RiskSettings:
    """Weights, haircuts, capital and caps, review cadences, alert thresholds and
    the master scale's review months and PD per grade (``scale``: ``{code:
    {"review_months", "pd_pct"}}``; the bounds never change here) — risk
    officers and admins (PermissionDenied otherwise). Weights 0–1 summing to
    1.00, percentages and haircuts 0–100, years and months ≥ 1; each error
    names its field (ValidationError). One transaction: ``risk.settings_updated``
    with the names of the changed fields, ``risk.scale_updated`` with the
    changed grades; nothing is audited when nothing changed."""
    if not policy.can_edit_settings(user):
        raise PermissionDenied(_("Only risk officers and admins change the risk settings."))
    unknown = set(fields) - set(SETTINGS_FIELDS) - {"haircuts"}
    if unknown:
        raise ValidationError({f: _("This field cannot be changed.") for f in sorted(unknown)})
    with transaction.atomic():
        obj = risk_settings(persist=True)
        obj = RiskSettings.objects.select_for_update().get(pk=obj.pk)
        before = {name: getattr(obj, name) for name in SETTINGS_FIELDS}
        before_haircuts = {k: obj.haircut_for(k) for k in CollateralKind.values}
        for name, value in fields.items():
            if name == "haircuts":
                value = {**(obj.haircuts or {}), **(value or {})}
            setattr(obj, name, value)
        _check_settings(obj)
        obj.haircuts = {str(k): _json_number(v) for k, v in obj.haircuts.items()}
        obj.full_clean(exclude=["tenant"])
        changed = [
            name
            for name in SETTINGS_FIELDS
            if name in fields and Decimal(str(getattr(obj, name))) != Decimal(str(before[name]))
        ]
        changed += [
            f"haircut_{k}"
            for k in CollateralKind.values
            if obj.haircut_for(k) != before_haircuts[k]
        ]
        if changed:
            obj.save()
            audit_record(
                action="risk.settings_updated", actor=user, target=obj, data={"fields": changed}
            )
        memo = scope_memo()
        memo["risk_settings"] = obj
        if scale:
            _scale_update(user=user, target=obj, changes=scale)
    return obj


def _json_number(value) -> int | float | str:
    """Haircuts are stored as JSON numbers (30, 12.5)."""
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else str(d)


def _scale_update(*, user, target: RiskSettings, changes: dict) -> None:
    rating_scale(persist=True)  # the default scale is stored on the first change
    locked = {g.code: g for g in RatingGrade.objects.select_for_update().order_by("rank")}
    clean = _check_grades(changes, set(locked))
    changed: dict = {}
    for code, values in clean.items():
        g = locked[code]
        fields = [
            name
            for name, value in values.items()
            if (None if value is None else Decimal(str(value)))
            != (None if getattr(g, name) is None else Decimal(str(getattr(g, name))))
        ]
        for name in fields:
            setattr(g, name, values[name])
        if fields:
            changed[code] = fields
    if changed:
        RatingGrade.objects.bulk_update([locked[c] for c in changed], list(GRADE_FIELDS))
        audit_record(
            action="risk.scale_updated", actor=user, target=target, data={"grades": changed}
        )
    scope_memo()["rating_scale"] = list(locked.values())
