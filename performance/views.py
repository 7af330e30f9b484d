"""Pages: /performance/ (the branch head's home: the subtree's RMs ranked; the
bank's branches compared for admins, risk officers and compliance; an RM's own
scorecard explained), the drill-down behind every number, and the KPI
settings (admins). Thin: parse input, call selectors or services, render.
Everything reads snapshots, never the live data, except the drill-downs."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.models import ProductCategory
from communications.selectors import followup_list
from risk.models import Severity
from tenancy.models import Role
from tenancy.timezones import user_zone
from tenancy.views import role_required

from . import exports, periods, selectors, services
from .charts import bar_chart, echarts_data, sparkline
from .config import definition_list, guardrail_rules, kpi_settings
from .drill import DRILLS, drill_rows
from .explain import explain
from .models import (
    DEFAULT_ALERT_SLA_DAYS,
    DEFAULT_REVENUE_RATES,
    Dimension,
    KpiDefinition,
    KpiPeriodClose,
    Scope,
)

STAFF = (Role.ADMIN, Role.BRANCH_HEAD, Role.RM, Role.RISK_OFFICER, Role.COMPLIANCE)
WIDE = (Role.ADMIN, Role.RISK_OFFICER, Role.COMPLIANCE)
TREND_MONTHS = 12
CHART_ROWS = 20  # bars in the ranking chart
TREND_SERIES = 10  # lines in the 12-month trend chart (the best totals)
# the drill-down each dimension's score opens
DIMENSION_DRILL = {
    "satisfaction": "detractors",
    "loyalty": "lost_clients",
    "profit": "top_revenue",
    "risk": "reviews_overdue",
}


def _period(request) -> str:
    value = request.GET.get("period", "")
    try:
        periods.parse_period(value)
    except ValidationError:
        return periods.current_period()
    return value


@role_required(*STAFF)
@require_GET
def dashboard(request):
    user = request.user
    period = _period(request)
    if user.role == Role.RM:
        return _rm_scorecard(request, period)
    if user.role in WIDE:
        scope = Scope.RM if request.GET.get("view") == Scope.RM else Scope.BRANCH
    else:
        scope = Scope.RM if request.GET.get("view") != Scope.BRANCH else Scope.BRANCH
    rows = selectors.scorecard_rows(user=user, period=period, scope=scope)
    months = periods.last_periods(period, TREND_MONTHS)
    trend = selectors.trends(
        user=user, scope=scope, subject_ids=[r.subject_id for r in rows], periods=months
    )
    for r in rows:
        r.trend = trend.get(r.subject_id, [])
        r.sparkline = sparkline(r.trend)
    chart_rows = rows[:CHART_ROWS]
    return render(
        request,
        "performance/dashboard.html",
        {
            "period": period,
            "periods": _period_choices(user, period),
            "scope": scope,
            "rows": rows,
            "chart": bar_chart([(r.subject_name, r.total) for r in chart_rows]),
            "echarts": echarts_data(chart_rows, months, trend_rows=rows[:TREND_SERIES]),
            "months": months,
            "dimension_drill": DIMENSION_DRILL,
            "weights": kpi_settings().weights(),
            "wide": user.role in WIDE,
            "may_configure": services.can_configure(user),
        },
    )


def _period_choices(user, period: str) -> list[str]:
    found = selectors.available_periods(user=user)
    current = periods.current_period()
    return sorted({*found, current, period}, reverse=True)


def _rm_scorecard(request, period: str, rm=None, *, form_errors=None, status=200):
    """An RM's scorecard explained, with the improvement actions set from it
    and from the previous month's; the form to set one for those who may."""
    user = request.user
    rm = rm or user
    row = selectors.visible_snapshots(user).filter(period=period, scope=Scope.RM, subject_id=rm.pk)
    row = row.first()
    months = periods.last_periods(period, TREND_MONTHS)
    trend = selectors.trends(user=user, scope=Scope.RM, subject_ids=[rm.pk], periods=months)
    settings = kpi_settings()
    definitions = list(definition_list())
    may_set = services.can_set_action(user, rm)
    actions = selectors.scorecard_actions(user=user, rm=rm, period=period)
    previous = periods.shift(period, -1)
    return render(
        request,
        "performance/scorecard.html",
        {
            "period": period,
            "periods": _period_choices(user, period),
            "row": row,
            "rm": rm,
            "own": rm.pk == user.pk,
            "months": months,
            "trend": list(zip(months, trend.get(rm.pk, []), strict=True)),
            "sparkline": sparkline(trend.get(rm.pk, [])),
            "kpis": explain(row, definitions, settings.weights()) if row else [],
            "weights": settings.weights(),
            "dimension_drill": DIMENSION_DRILL,
            "action_lists": [
                (_("Set from this month's scorecard"), actions["current"], "action-current"),
                (
                    _("Set from the scorecard of %(period)s") % {"period": previous},
                    actions["previous"],
                    "action-previous",
                ),
            ],
            "may_set": may_set,
            "open_follow_ups": _open_follow_ups(user, rm) if may_set else [],
            "dimensions": Dimension.choices,
            "form_errors": form_errors or {},
            "post": request.POST if request.method == "POST" else {},
            "today": periods.today_local(),
        },
        status=status,
    )


def _open_follow_ups(user, rm) -> list:
    """The RM's open follow-ups the setter may read, to link to an action."""
    return list(
        followup_list(user=user).filter(assignee=rm, status="open")[: services.LINKS_MAX * 5]
    )


@role_required(*STAFF)
@require_GET
def rm_scorecard(request, rm_id: int):
    """An RM's scorecard for whoever may read it: the RM, the branch head of
    the subtree, the tenant-wide roles (404 for anyone else)."""
    rm = selectors.scorecard_rm_get(user=request.user, rm_id=rm_id)
    return _rm_scorecard(request, _period(request), rm)


@role_required(Role.ADMIN, Role.BRANCH_HEAD)
@require_POST
def action_create(request, rm_id: int):
    rm = selectors.scorecard_rm_get(user=request.user, rm_id=rm_id)
    post = request.POST
    period = post.get("period", "")
    try:
        due_on = date.fromisoformat(post.get("due_on", ""))
    except ValueError:
        due_on = None
    try:
        services.action_create(
            user=request.user,
            rm=rm,
            period=period,
            dimension=post.get("dimension", ""),
            goal=post.get("goal", ""),
            due_on=due_on,
            follow_up_ids=post.getlist("follow_ups"),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ValidationError as exc:
        errors = {f: (_action_field_label(f), m) for f, m in exc.message_dict.items()}
        shown = period if _valid_period(period) else periods.current_period()
        return _rm_scorecard(request, shown, rm, form_errors=errors, status=400)
    messages.success(request, _("Action set."))
    return redirect(reverse("performance:rm_scorecard", args=[rm.pk]) + f"?period={period}")


@role_required(*STAFF)
@require_POST
def action_close(request, action_id: int):
    action = selectors.action_get(user=request.user, action_id=action_id)
    try:
        services.action_close(
            user=request.user,
            action=action,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ValidationError as exc:
        text = "; ".join(
            f"{_action_field_label(f)}: {' '.join(m)}" for f, m in exc.message_dict.items()
        )
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
    messages.success(request, _("Action updated."))
    if action.rm_id == request.user.pk:
        target = reverse("performance:dashboard")
    else:
        target = reverse("performance:rm_scorecard", args=[action.rm_id])
    return redirect(f"{target}?period={action.period}")


def _valid_period(value: str) -> bool:
    try:
        periods.parse_period(value)
    except ValidationError:
        return False
    return True


def _action_field_label(field: str) -> str:
    return {
        "period": _("Period"),
        "dimension": _("Dimension"),
        "goal": _("Goal"),
        "due_on": _("Due on"),
        "follow_ups": _("Follow-ups"),
        "status": _("Status"),
        "note": _("Note"),
    }.get(field, field)


@role_required(*STAFF)
@require_GET
def drill(request, measure: str):
    """The clients behind one number of a visible snapshot (404 for a subject
    the viewer may not see), paginated."""
    if measure not in DRILLS:
        raise Http404
    user = request.user
    period = _period(request)
    scope = request.GET.get("scope", "")
    if scope not in Scope.values:
        raise Http404
    subject_raw = request.GET.get("subject", "")
    if not subject_raw.isdigit() or len(subject_raw) > 18:
        raise Http404
    snapshot = selectors.snapshot_get(
        user=user, period=period, scope=scope, subject_id=int(subject_raw)
    )
    rows = drill_rows(
        measure,
        user=user,
        scope=scope,
        subject_id=snapshot.subject_id,
        period=period,
        now=timezone.now(),
        rates=kpi_settings().rates(),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "performance/drill.html",
        {
            "drill": DRILLS[measure],
            "snapshot": snapshot,
            "page": page,
            "period": period,
            "tz": user_zone(user),
        },
    )


@role_required(*STAFF)
@require_GET
def export(request):
    """The scorecard table the viewer sees as CSV or Excel (``?format=xlsx``),
    audited; another format is a 400 naming ``format``."""
    user = request.user
    period = _period(request)
    fmt = request.GET.get("format") or "csv"
    if fmt not in exports.FORMATS:
        message = _("Choose csv or xlsx.")
        return HttpResponseBadRequest(
            f"format: {message}", content_type="text/plain; charset=utf-8"
        )
    scope = request.GET.get("view", "")
    if user.role == Role.RM or scope not in (Scope.RM, Scope.BRANCH):
        scope = Scope.RM if user.role in (Role.RM, Role.BRANCH_HEAD) else Scope.BRANCH
    ip_address = request.META.get("REMOTE_ADDR")
    if fmt == "xlsx":
        body = exports.scorecard_xlsx(user=user, period=period, scope=scope, ip_address=ip_address)
        response = HttpResponse(body, content_type=exports.XLSX_CONTENT_TYPE)
    else:
        body = exports.scorecard_csv(user=user, period=period, scope=scope, ip_address=ip_address)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpi-{scope}-{period}.{fmt}"'
    return response


# --- settings (admins) ----------------------------------------------------------------


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    """Weights, KPI definitions, the guardrail rules, closing and correcting periods."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _apply(action, request)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for msg in msgs:
                    messages.error(request, f"{_field_label(field)}: {msg}")
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("performance:settings"))
    settings = kpi_settings()
    return render(
        request,
        "performance/settings.html",
        {
            "weights": settings.weights(),
            "rates": [(c, label, settings.rates()[c]) for c, label in ProductCategory.choices],
            "sla": [(v, label, settings.sla_days()[v]) for v, label in Severity.choices],
            "definitions": list(definition_list()),
            "rules": guardrail_rules(),
            "closed": list(KpiPeriodClose.objects.order_by("-period")[:24]),
            "measures": KpiDefinition._meta.get_field("measure").choices,
            "bases": KpiDefinition._meta.get_field("basis").choices,
            "dimensions": Dimension.choices,
            "previous_period": periods.shift(periods.current_period(), -1),
            "post": request.POST if request.method == "POST" else {},
            "user": user,
        },
    )


def _field_label(field: str) -> str:
    return {
        "weights": _("Weights"),
        "measure": _("Measure"),
        "basis": _("Basis"),
        "floor": _("Floor"),
        "target": _("Target"),
        "challenge": _("Challenge target"),
        "period": _("Period"),
        "reason": _("Reason"),
        "reason_zh": _("Reason (Simplified Chinese)"),
        **{f"rate_{c}": label for c, label in ProductCategory.choices},
        **{f"sla_{v}": label for v, label in Severity.choices},
    }.get(field, field)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _apply(action: str, request) -> None:
    user, post = request.user, request.POST
    if action == "weights":
        services.kpi_weights_update(
            user=user,
            weights={
                d: _int_or_none(post.get(d)) for d in ("satisfaction", "loyalty", "profit", "risk")
            },
        )
    elif action == "rates":
        services.kpi_rates_update(
            user=user,
            rates={c: post.get(f"rate_{c}") for c in DEFAULT_REVENUE_RATES},
            sla_days={v: post.get(f"sla_{v}") for v in DEFAULT_ALERT_SLA_DAYS},
        )
    elif action == "definition":
        definition = None
        if post.get("id"):
            definition = (
                definition_list().filter(pk=_int_or_none(post["id"])).first()
                if str(post["id"]).isdigit()
                else None
            )
            if definition is None:
                raise Http404
        weight = _int_or_none(post.get("weight", 1))
        if not isinstance(weight, int) or weight < 0:
            raise ValidationError({"weight": [_("A whole number, 0 or more.")]})
        dimension = post.get("dimension", "")
        if dimension not in Dimension.values:
            raise ValidationError({"dimension": [_("Choose a dimension.")]})
        services.kpi_definition_save(
            user=user,
            definition=definition,
            measure=post.get("measure", ""),
            basis=post.get("basis", ""),
            dimension=dimension,
            floor=post.get("floor"),
            target=post.get("target"),
            challenge=post.get("challenge") or None,
            weight=weight,
            active=post.get("active") == "on",
        )
    elif action == "rule":
        services.guardrail_rule_add(
            user=user,
            measure=post.get("measure", ""),
            basis=post.get("basis", ""),
            reason=post.get("reason", ""),
            reason_zh=post.get("reason_zh", ""),
        )
    elif action == "close":
        services.period_close(user=user, period=post.get("period", ""))
    elif action == "correct":
        services.snapshot_correct(
            user=user, period=post.get("period", ""), reason=post.get("reason", "")
        )
    else:
        raise ValidationError({"action": [_("Unknown action.")]})
