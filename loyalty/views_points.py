"""Points and rewards pages: the rewards catalogue (admins manage it),
redeeming from the client page or the catalogue, the points-liability report,
the four-eyes approvals and the points settings. Thin: parse input, call one
selector or service, redirect or render. Every action is a plain POST + redirect."""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clients.access import client_get
from tenancy.forms import apply_errors
from tenancy.timezones import user_zone
from tenancy.views import role_required, staff_required

from .forms_points import (
    AdjustForm,
    DecisionForm,
    PointsSettingsForm,
    RedeemForClientForm,
    RewardForm,
)
from .models import PointsAdjustmentRequest
from .points import policy, selectors, services
from .points.configuration import points_settings


def _client_page(client_id) -> str:
    return reverse("clients:detail", kwargs={"client_id": client_id}) + "#points-section"


def _errors_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


# --- the client 360° section's actions --------------------------------------------------------


@staff_required
@require_POST
def points_adjust(request, client_id):
    """An admin adjusts a client's points (above the threshold: a pending request)."""
    client = client_get(user=request.user, client_id=client_id)
    if not policy.can_adjust(request.user):
        raise PermissionDenied
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(_client_page(client.pk))
    try:
        result = services.points_adjust(user=request.user, client=client, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        if isinstance(result, PointsAdjustmentRequest):
            messages.success(
                request,
                _("Above the four-eyes threshold: a second admin must approve this adjustment."),
            )
        else:
            messages.success(request, _("Points adjusted."))
    return redirect(_client_page(client.pk))


def _redeem(request, client, reward):
    try:
        services.redemption_create(user=request.user, client=client, reward=reward)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(
            request,
            _("%(reward)s redeemed for %(client)s.")
            % {"reward": reward.name, "client": client.name},
        )
    return redirect(_client_page(client.pk))


# --- rewards catalogue ------------------------------------------------------------------------


@staff_required
def reward_list(request):
    """The catalogue: every staff member reads it; admins add rewards here."""
    may_manage = policy.can_manage_rewards(request.user)
    form = None
    if may_manage:
        form = RewardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.reward_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Reward added."))
                return redirect("loyalty:rewards")
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(selectors.reward_list(user=request.user), 50).get_page(request.GET.get("page"))
    # ?client=<id> (the 360° page's "Redeem a reward"): that client's balance and buttons
    for_client = None
    if request.GET.get("client"):
        for_client = client_get(user=request.user, client_id=request.GET["client"])
    return render(
        request,
        "loyalty/points/rewards.html",
        {
            "page": page,
            "form": form,
            "may_manage": may_manage,
            "redeem_form": RedeemForClientForm(auto_id=False),
            "may_redeem": request.user.role in ("admin", "rm"),
            "for_client": for_client,
            "for_client_balance": (
                selectors.points_balance(client=for_client) if for_client else None
            ),
            "may_redeem_for_client": bool(
                for_client and policy.can_redeem(request.user, for_client)
            ),
        },
    )


@role_required("admin")
def reward_edit(request, reward_id):
    reward = selectors.reward_get(user=request.user, reward_id=reward_id)
    form = RewardForm(request.POST or None, instance=copy(reward))
    if request.method == "POST" and form.is_valid():
        try:
            services.reward_update(user=request.user, reward=reward, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Reward saved."))
            return redirect("loyalty:rewards")
    return render(request, "loyalty/points/reward_edit.html", {"form": form, "reward": reward})


@staff_required
@require_POST
def reward_redeem(request, reward_id):
    """Redeem from the catalogue for a client number; the client goes through
    the access policy (another bank's or an invisible client: 404)."""
    reward = selectors.reward_get(user=request.user, reward_id=reward_id)
    form = RedeemForClientForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the client's number."))
        return redirect("loyalty:rewards")
    client = client_get(user=request.user, client_id=form.cleaned_data["client"])
    if not policy.can_redeem(request.user, client):
        raise PermissionDenied
    return _redeem(request, client, reward)


# --- finance and four-eyes ------------------------------------------------------------------------


@role_required(*policy.LIABILITY_ROLES)
@require_GET
def liability(request):
    """Outstanding points × the value per point, by branch and tier (finance)."""
    return render(
        request,
        "loyalty/points/liability.html",
        {"report": selectors.points_liability(user=request.user)},
    )


@role_required("admin")
@require_GET
def approvals(request):
    """Pending adjustments above the four-eyes threshold, and the latest decisions."""
    pending = selectors.adjustment_list(
        user=request.user, status=PointsAdjustmentRequest.Status.PENDING
    )
    decided = selectors.adjustment_list(user=request.user).exclude(
        status=PointsAdjustmentRequest.Status.PENDING
    )
    return render(
        request,
        "loyalty/points/approvals.html",
        {
            "pending": list(pending[:100]),
            "decided": list(decided[:20]),
            "tz": user_zone(request.user),
            "form": DecisionForm(auto_id=False),
            "threshold": points_settings().four_eyes_threshold,
        },
    )


def _decide(request, adjustment_id, fn, done: str):
    adjustment = selectors.adjustment_get(user=request.user, adjustment_id=adjustment_id)
    try:
        fn(adjustment)
    except services.StateConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, done)
    return redirect("loyalty:points_approvals")


@role_required("admin")
@require_POST
def approval_approve(request, adjustment_id):
    return _decide(
        request,
        adjustment_id,
        lambda a: services.adjustment_approve(user=request.user, adjustment=a),
        _("Adjustment approved and applied."),
    )


@role_required("admin")
@require_POST
def approval_reject(request, adjustment_id):
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _decide(
        request,
        adjustment_id,
        lambda a: services.adjustment_reject(user=request.user, adjustment=a, note=note),
        _("Adjustment rejected."),
    )


@role_required("admin")
def settings_edit(request):
    """The tenant's points settings (admins)."""
    form = PointsSettingsForm(request.POST or None, instance=copy(points_settings()))
    if request.method == "POST" and form.is_valid():
        try:
            services.points_settings_update(user=request.user, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Points settings saved."))
            return redirect("loyalty:points_settings")
    return render(request, "loyalty/points/settings.html", {"form": form})
