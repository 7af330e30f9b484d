"""Survey pages: /loyalty/ (satisfaction analytics and the recovery queue),
a service recovery, inviting a client from its 360° page, the survey
settings. Thin: parse input, call one selector or service, render."""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.access import Tier, client_get
from tenancy.forms import apply_errors
from tenancy.models import Role
from tenancy.timezones import user_zone
from tenancy.views import role_required

from . import analytics, selectors, services
from .config import survey_settings
from .forms import RecoveryForm, SurveySettingsForm, SurveyTemplateForm
from .links import invitation_url

STAFF = (Role.ADMIN, Role.BRANCH_HEAD, Role.RM, Role.RISK_OFFICER, Role.COMPLIANCE)
PERIODS = (3, 6, 12, 24)


@role_required(*STAFF)
@require_GET
def dashboard(request):
    """NPS and CSAT by RM, branch, tier and month, response rate, trend,
    the recovery queue and verbatim comments — the viewer's clients only."""
    user = request.user
    try:
        months = int(request.GET.get("months", 12))
    except ValueError:
        months = 12
    months = months if months in PERIODS else 12
    since = analytics.period_start(months)
    zone = user_zone(user)
    scores = analytics.breakdown(
        analytics.answers_since(user=user, since=since), zone, dict(Tier.choices)
    )
    return render(
        request,
        "loyalty/dashboard.html",
        {
            "months": months,
            "periods": PERIODS,
            "overall": scores.overall,
            "rate": analytics.response_rate(user=user, since=since),
            "by_rm": scores.by_rm,
            "by_branch": scores.by_branch,
            "by_tier": scores.by_tier,
            "by_month": scores.by_month,
            "queue": analytics.recovery_queue(user=user),
            "comments": analytics.comments(user=user, since=since),
            "now": timezone.now(),
            "tz": zone,
            "may_edit_settings": user.role == Role.ADMIN,
        },
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def recovery(request, recovery_id: int):
    """One follow-up: the answer that opened it, what was done, the outcome."""
    item = selectors.recovery_get(user=request.user, recovery_id=recovery_id)
    may_record = services.may_record_recovery(request.user, item) and item.status == "open"
    form = RecoveryForm(
        request.POST or None, initial={"action": item.action, "outcome": item.outcome}
    )
    if request.method == "POST":
        if not may_record and item.status == "open":
            raise PermissionDenied
        if form.is_valid():
            try:
                services.recovery_record(
                    user=request.user,
                    recovery=item,
                    action=form.cleaned_data["action"],
                    outcome=form.cleaned_data["outcome"],
                    close=form.cleaned_data["close"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("loyalty:recovery", recovery_id=item.pk)
    return render(
        request,
        "loyalty/recovery.html",
        {
            "item": item,
            "form": form,
            "may_record": may_record,
            "now": timezone.now(),
            "tz": user_zone(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.ADMIN, Role.BRANCH_HEAD, Role.RM, Role.RISK_OFFICER)
@require_POST
def invite(request, client_id: int):
    """Invite the client from its 360° page; the link is shown to copy."""
    client = client_get(user=request.user, client_id=client_id)
    back = reverse("clients:detail", kwargs={"client_id": client.pk}) + "#loyalty-section"
    try:
        invitation = services.invitation_create(user=request.user, client_id=client.pk)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
        return redirect(back)
    url = invitation_url(
        tenant_id=invitation.tenant_id, invitation_id=invitation.pk, request=request
    )
    if invitation.channel == "link":
        messages.success(
            request,
            _("Survey link created (no consent for a channel: hand it over): %(url)s")
            % {"url": url},
        )
    else:
        messages.success(
            request,
            _("Survey sent by %(channel)s. Link: %(url)s")
            % {"channel": invitation.get_channel_display(), "url": url},
        )
    return redirect(back)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    """The survey settings and templates (tenant admins)."""
    current = survey_settings()
    action = request.POST.get("form") if request.method == "POST" else None
    form = SurveySettingsForm(
        request.POST if action == "settings" else None, instance=_copy(current)
    )
    template_form = SurveyTemplateForm(request.POST if action == "template" else None, prefix="t")
    if action == "settings" and form.is_valid():
        try:
            services.survey_settings_update(user=request.user, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Survey settings saved."))
            return redirect("loyalty:survey_settings")
    if action == "template" and template_form.is_valid():
        try:
            services.survey_create(user=request.user, **template_form.cleaned_data)
        except ValidationError as exc:
            apply_errors(template_form, exc)
        else:
            messages.success(request, _("Survey template added."))
            return redirect("loyalty:survey_settings")
    if action == "toggle":
        survey = selectors.survey_get(user=request.user, survey_id=request.POST.get("survey"))
        services.survey_set_active(user=request.user, survey=survey, active=not survey.active)
        return redirect("loyalty:survey_settings")
    services.survey_defaults_ensure()
    return render(
        request,
        "loyalty/settings.html",
        {
            "form": form,
            "template_form": template_form,
            "surveys": list(selectors.survey_list(user=request.user)),
        },
        status=400 if action in ("settings", "template") else 200,
    )


def _copy(obj):
    return copy(obj)  # the form's validation must not touch the scope's memoised row
