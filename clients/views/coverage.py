"""Coverage pages: a client's managers and coverage team, and bulk reassignment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy import selectors as tenancy_selectors
from tenancy.forms import apply_errors
from tenancy.models import Role
from tenancy.views import role_required

from .. import access, selectors, services
from ..forms import (
    AssignManagerForm,
    BulkReassignForm,
    TeamMemberForm,
)
from .core import PAGE_SIZE


@role_required(Role.ADMIN, Role.BRANCH_HEAD, Role.RM, Role.RISK_OFFICER, Role.COMPLIANCE)
def client_coverage(request, client_id: int):
    """Managers, coverage team and the full history; admins and branch heads change them here."""
    user = request.user
    client = access.client_get(user=user, client_id=client_id)
    can_assign = access.can_assign(user, client)
    assign_form = team_form = None
    if can_assign:
        assign_form = AssignManagerForm(
            request.POST or None,
            managers=selectors.assignable_managers(user=user),
            initial={"role": "dedicated"},
        )
        team_form = TeamMemberForm(staff=selectors.team_candidates(user=user))
    if request.method == "POST":
        if not can_assign:
            raise PermissionDenied
        if assign_form.is_valid():
            try:
                services.client_assign_manager(
                    actor=user, client=client, **assign_form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(assign_form, exc)
            else:
                messages.success(request, _("Coverage updated."))
                return redirect("clients:coverage", client_id=client.pk)
    history = Paginator(selectors.coverage_history(user=user, client=client), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "clients/coverage.html",
        {
            "client": client,
            "can_assign": can_assign,
            "assign_form": assign_form,
            "team_form": team_form,
            "team": list(selectors.coverage_team(user=user, client=client)),
            "page": history,
        },
        status=400 if assign_form is not None and assign_form.errors else 200,
    )


@role_required(Role.ADMIN, Role.BRANCH_HEAD)
@require_POST
def team_add(request, client_id: int):
    user = request.user
    client = access.client_get(user=user, client_id=client_id)
    form = TeamMemberForm(request.POST, staff=selectors.team_candidates(user=user))
    if form.is_valid():
        try:
            services.coverage_team_add(actor=user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Added to the coverage team."))
    else:
        messages.error(request, _("Choose a staff member and a team role."))
    return redirect("clients:coverage", client_id=client.pk)


@role_required(Role.ADMIN, Role.BRANCH_HEAD)
@require_POST
def team_remove(request, client_id: int, member_id: int):
    client = access.client_get(user=request.user, client_id=client_id)
    member = selectors.coverage_member_get(user=request.user, client=client, member_id=member_id)
    services.coverage_team_remove(
        actor=request.user, member=member, reason=request.POST.get("reason", "")[:500]
    )
    messages.success(request, _("Removed from the coverage team."))
    return redirect("clients:coverage", client_id=client.pk)


@role_required(Role.ADMIN, Role.BRANCH_HEAD)
def bulk_reassign(request):
    """Bulk reassignment: the form, then a preview of every change, then confirm."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    if data is None and request.GET.getlist("client_ids"):
        data_initial = {"client_ids": ", ".join(request.GET.getlist("client_ids"))}
    else:
        data_initial = {}
    form = BulkReassignForm(
        data,
        initial=data_initial,
        from_managers=tenancy_selectors.staff_list(user=user).filter(role=Role.RM),
        to_managers=selectors.assignable_managers(user=user),
    )
    plan = None
    if data is not None and form.is_valid():
        args = {
            "actor": user,
            "to_manager": form.cleaned_data["to_manager"],
            "from_manager": form.cleaned_data["from_manager"],
            "client_ids": form.cleaned_data["client_ids"] or None,
            "role": form.cleaned_data["role"],
        }
        try:
            if "confirm" in request.POST:
                plan = services.bulk_reassign_confirm(
                    reason=form.cleaned_data["reason"],
                    token=form.cleaned_data["token"] or None,
                    **args,
                )
                messages.success(
                    request, _("%(n)s clients reassigned.") % {"n": len(plan.client_ids)}
                )
                return redirect("clients:bulk_reassign")
            plan = services.bulk_reassign_plan(**args)
        except ValidationError as exc:
            apply_errors(form, exc)
            plan = None
        except services.StalePlan as exc:
            messages.error(request, str(exc))
            plan = None
    return render(
        request,
        "clients/bulk_reassign.html",
        {
            "form": form,
            "plan": plan,
            "token": plan.token if plan else "",
        },
        status=400 if form.errors else 200,
    )
