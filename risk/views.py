"""Risk pages: the risk desk and the actions behind the client 360° risk
section. Thin: parse input, call one selector or service, redirect or render.
Every action also works as a plain POST + redirect."""

from __future__ import annotations

from copy import copy
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clients.access import client_get
from tenancy.forms import apply_errors
from tenancy.timezones import user_zone
from tenancy.views import role_required, staff_required

from . import calendar, groups, override_rates, policy, selectors, services, watchlist
from .forms import (
    AlertFilterForm,
    AlertUpdateForm,
    AssessmentForm,
    CalendarFilterForm,
    ClassificationForm,
    DecisionForm,
    GradeFormSet,
    GroupLimitForm,
    OverrideRatesForm,
    RiskSettingsForm,
    WatchListForm,
    WhatIfForm,
)
from .scale import rating_scale, risk_settings


def _client_page(client_id) -> str:
    try:
        return reverse("clients:detail", kwargs={"client_id": client_id}) + "#risk-section"
    except NoReverseMatch:  # pragma: no cover - clients' page is always mounted
        return reverse("risk:desk")


def _back(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def _errors_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


DESK_QUEUE = 20  # the approval queue's rows on the desk; the rest on /risk/approvals/


@role_required(*policy.DESK_ROLES)
@require_GET
def desk(request):
    """The risk desk: approval queue, open alerts, recent decisions, calendar, concentration."""
    user = request.user
    settings = risk_settings()
    waiting = selectors.approval_queue(user=user)
    queue = list(waiting[:DESK_QUEUE])
    queue_total = waiting.count() if len(queue) == DESK_QUEUE else len(queue)
    recent = list(selectors.recent_decisions(user=user)[:20])
    mine = list(selectors.my_assessments(user=user)[:10])
    selectors.with_people(queue, recent, mine, user=user)
    return render(
        request,
        "risk/desk.html",
        {
            "queue": queue,
            "queue_total": queue_total,
            "recent": recent,
            "mine": mine,
            "concentration": selectors.concentration(user=user),
            "group_concentration": selectors.group_concentration(user=user),
            "may_set_limit": policy.can_set_limit(user),
            "group_limit_form": GroupLimitForm(auto_id=False),
            "calendar": calendar.desk_calendar(user=user),
            "watch_entries": list(watchlist.watch_list(user=user)[:20]),
            "proposals": watchlist.proposals(user=user, limit=20),
            "may_watch": watchlist.may_edit(user),
            "watch_form": WatchListForm(auto_id=False),
            "alert_counts": selectors.alert_counts(user=user),
            "alerts": selectors.desk_alerts(user=user),
            "override_rates": override_rates.desk_override_rates(user=user),
            "settings": settings,
            "tz": user_zone(user),
        },
    )


@staff_required
def assessment_create(request, client_id):
    """Draft an assessment of one client (from its 360° page)."""
    client = client_get(user=request.user, client_id=client_id)
    if not policy.can_assess(request.user, client):
        raise PermissionDenied
    grades = [g.code for g in rating_scale()]
    form = AssessmentForm(request.POST or None, grades=grades)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_create(user=request.user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft assessment saved. Submit it for approval."))
            return redirect(_client_page(client.pk))
    return render(request, "risk/assessment_new.html", {"client": client, "form": form})


@staff_required
@require_GET
def assessment_detail(request, assessment_id):
    a = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "a": a,
            "may_decide": a.status == a.Status.SUBMITTED and policy.can_decide(request.user, a),
            "may_submit": a.status == a.Status.DRAFT and a.author_id == request.user.pk,
            "form": DecisionForm(),
            "tz": user_zone(request.user),
        },
    )


@staff_required
@require_POST
def assessment_submit(request, assessment_id):
    a = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    try:
        services.assessment_submit(user=request.user, assessment=a)
    except services.StateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Assessment submitted for approval."))
    return redirect(_back(request, _client_page(a.client_id)))


@staff_required
@require_POST
def assessment_decide(request, assessment_id):
    """Approve or reject (four eyes) from the desk or the assessment page."""
    a = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    form = DecisionForm(request.POST)
    back = _back(request, reverse("risk:desk"))
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect(back)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.assessment_approve(user=request.user, assessment=a)
            messages.success(request, _("Assessment approved: the rating is now current."))
        else:
            services.assessment_reject(
                user=request.user, assessment=a, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Assessment rejected."))
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except services.StateConflict as exc:
        messages.error(request, str(exc))
    return redirect(back)


@staff_required
@require_POST
def classification_set(request, client_id):
    client = client_get(user=request.user, client_id=client_id)
    form = ClassificationForm(request.POST)
    if form.is_valid():
        try:
            services.classification_set(user=request.user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(request, _("Classification saved."))
    else:
        messages.error(request, _("Choose one of the five categories."))
    return redirect(_client_page(client.pk))


@staff_required
@require_POST
def group_limit_create(request, group_id):
    """A risk officer sets a household's or corporate group's limit (from the
    desk or the 360° page; plain POST + redirect)."""
    group = groups.group_for_limit(user=request.user, group_id=group_id)
    if not policy.can_set_limit(request.user):
        raise PermissionDenied
    form = GroupLimitForm(request.POST)
    if form.is_valid():
        try:
            services.credit_limit_create(user=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(request, _("Group limit set: %(group)s.") % {"group": group.name})
    else:
        messages.error(request, _("Give the amount, the currency and the expiry date."))
    return redirect(_back(request, reverse("risk:desk")))


@staff_required
@require_GET
def what_if(request, client_id):
    """Would a new loan breach the limit or a cap? (an htmx fragment, or a page)."""
    client = client_get(user=request.user, client_id=client_id)
    form = WhatIfForm(request.GET or None, auto_id="whatif_%s")
    result = None
    if form.is_valid():
        result = selectors.what_if(
            user=request.user, client=client, amount=form.cleaned_data["amount"]
        )
    template = "risk/_what_if_result.html" if request.htmx else "risk/what_if.html"
    return render(request, template, {"client": client, "form": form, "result": result})


@staff_required
@require_GET
def review_calendar(request):
    """Everything that falls due on the clients the user sees (paginated)."""
    form = CalendarFilterForm(request.GET)
    params: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        today = timezone.localdate()
        if data["kind"]:
            params["kinds"] = [data["kind"]]
        if data["window"] == "overdue":
            params["overdue"] = True
        elif data["window"] == "next30":
            params.update(due_after=today, due_before=today + timedelta(days=30))
        elif data["window"] == "range":
            params.update(due_after=data["due_after"], due_before=data["due_before"])
    rows = calendar.review_calendar(user=request.user, **params)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/calendar.html",
        {"form": form, "page": page},
    )


# --- alerts -------------------------------------------------------------------------------


@staff_required
@require_GET
def alerts(request):
    """The alerts of the clients the user sees (filters status, severity, kind; 50 a page)."""
    form = AlertFilterForm(request.GET or {"status": "current"})
    params: dict = {"status": "current"}
    if form.is_valid():
        data = form.cleaned_data
        params = {
            "status": None if data["status"] == "all" else (data["status"] or "current"),
            "severity": data["severity"] or None,
            "kind": data["kind"] or None,
        }
    page = Paginator(selectors.alert_list(user=request.user, **params), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "risk/alerts.html",
        {"form": form, "page": page, "tz": user_zone(request.user)},
    )


@staff_required
@require_GET
def alert_detail(request, alert_id):
    alert = selectors.alert_get(user=request.user, alert_id=alert_id)
    return render(
        request,
        "risk/alert_detail.html",
        {
            "alert": alert,
            "members": selectors.alert_members(user=request.user, alert=alert),
            "form": AlertUpdateForm(),
            "can_act": alert.status != alert.Status.RESOLVED
            and policy.can_acknowledge_alert(request.user, alert.client),
            "can_resolve": policy.can_resolve_alert(request.user, alert.client),
            "tz": user_zone(request.user),
        },
    )


@staff_required
@require_POST
def alert_update(request, alert_id):
    alert = selectors.alert_get(user=request.user, alert_id=alert_id)
    back = _back(request, reverse("risk:alert_detail", args=[alert.pk]))
    form = AlertUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(back)
    data = form.cleaned_data
    try:
        services.alert_update(
            user=request.user, alert=alert, status=data["status"] or None, note=data["note"]
        )
    except (ValidationError, services.StateConflict) as exc:
        messages.error(request, _errors_text(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect(back)
    messages.success(request, _("Alert updated."))
    return redirect(back)


@role_required(*policy.DESK_ROLES)
def settings_edit(request):
    """The risk settings and the master scale: risk officers and admins edit,
    branch heads and compliance read (a POST from them is 403)."""
    may_edit = policy.can_edit_settings(request.user)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    current = copy(risk_settings())  # the form's validation must not touch the scope's copy
    scale = rating_scale()
    data = request.POST if request.method == "POST" else None
    form = RiskSettingsForm(data, instance=current, read_only=not may_edit)
    grades = GradeFormSet(
        data,
        prefix="scale",
        initial=[
            {"code": g.code, "review_months": g.review_months, "pd_pct": g.pd_pct} for g in scale
        ],
    )
    if data is not None and form.is_valid() and grades.is_valid():
        changes = {
            f.cleaned_data["code"]: {
                "review_months": f.cleaned_data["review_months"],
                "pd_pct": f.cleaned_data["pd_pct"],
            }
            for f in grades
        }
        try:
            services.risk_settings_update(user=request.user, scale=changes, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Risk settings saved."))
            return redirect("risk:settings")
    return render(
        request,
        "risk/settings.html",
        {
            "form": form,
            "grades": grades,
            "rows": list(zip(grades.forms, scale, strict=False)),
            "may_edit": may_edit,
        },
        status=400 if form.errors or any(grades.errors) else 200,
    )


@role_required(*policy.DESK_ROLES)
@require_GET
def override_rates_page(request):
    """How often approvers and branches override the scale, and how it turned out."""
    form = OverrideRatesForm(request.GET)
    months = (form.cleaned_data.get("months") if form.is_valid() else None) or 12
    return render(
        request,
        "risk/override_rates.html",
        {
            "form": form,
            "rates": override_rates.desk_override_rates(
                user=request.user, months=months, limit=None
            ),
        },
    )


# --- the approval queue --------------------------------------------------------------------


@role_required(*policy.DESK_ROLES)
@require_GET
def approvals(request):
    """The whole approval queue (the desk shows the longest-waiting
    ``DESK_QUEUE``), oldest submission first, 50 a page."""
    page = Paginator(selectors.approval_queue(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    selectors.with_people(rows, user=request.user)
    return render(
        request, "risk/approvals.html", {"page": page, "rows": rows, "tz": user_zone(request.user)}
    )


# --- watch list ----------------------------------------------------------------------------


@role_required(*policy.DESK_ROLES)
@require_GET
def watch_list(request):
    """The whole watch list of the clients the user sees (50 a page), with removal."""
    rows = watchlist.watch_list(user=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/watch_list.html",
        {
            "page": page,
            "may_watch": watchlist.may_edit(request.user),
            "watch_form": WatchListForm(auto_id=False),
            "tz": user_zone(request.user),
        },
    )


def _watch_change(request, client_id, change, done: str):
    client = client_get(user=request.user, client_id=client_id)
    form = WatchListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect(_back(request, _client_page(client.pk)))
    try:
        change(user=request.user, client=client, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, done)
    return redirect(_back(request, _client_page(client.pk)))


@staff_required
@require_POST
def watch_add(request, client_id):
    """Put a client on the watch list (risk officers; from the desk or the 360° page)."""
    if not watchlist.may_edit(request.user):
        client_get(user=request.user, client_id=client_id)  # another bank's client: 404
        raise PermissionDenied
    return _watch_change(request, client_id, watchlist.watch_add, _("Put on the watch list."))


@staff_required
@require_POST
def watch_remove(request, client_id):
    """Take a client off the watch list (risk officers), with a reason."""
    if not watchlist.may_edit(request.user):
        client_get(user=request.user, client_id=client_id)
        raise PermissionDenied
    return _watch_change(request, client_id, watchlist.watch_remove, _("Taken off the watch list."))
