"""Client pages (thin): parse input, call one selector or service, render."""

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
from tenancy.views import role_required, staff_required

from . import policy, selectors, services
from .forms import (
    AssignManagerForm,
    BulkReassignForm,
    ClientFilterForm,
    ClientForm,
    ContactPersonForm,
    GroupForm,
    GroupMemberForm,
    LifeEventForm,
    TeamMemberForm,
)
from .models import Interest, InvestmentGoal
from .sections import client_sections

PAGE_SIZE = 50


@staff_required
def client_list(request):
    user = request.user
    form = ClientFilterForm(
        request.GET or None,
        branches=tenancy_selectors.branch_list(user=user),
        managers=selectors.managers_for_filter(user=user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.client_list(
        user=user,
        search=filters.get("q") or "",
        tier=filters.get("tier"),
        branch=filters.get("branch"),
        manager=filters.get("manager"),
        lifecycle=filters.get("lifecycle"),
        risk_tolerance=filters.get("risk_tolerance"),
        ordering=filters.get("sort") or "name",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "clients/list.html",
        {
            "form": form,
            "page": page,
            "can_create": policy.can_create_client(user),
            "can_bulk": user.role in (Role.ADMIN, Role.BRANCH_HEAD),
        },
    )


def _client_form(request, *, client=None):
    user = request.user
    editing = client is not None
    managers = None if user.role == Role.RM else selectors.assignable_managers(user=user)
    masked = selectors.client_pii_display(user=user, client=client) if editing else None
    initial = {}
    if editing:
        initial = {
            f: getattr(client, f)
            for f in (
                "kind",
                "name",
                "external_id",
                "branch",
                "lifecycle",
                "risk_tolerance",
                "preferred_channel",
                "language",
                "contact_time_from",
                "contact_time_to",
                "investment_goals",
                "interests",
                "kyc_status",
                "next_kyc_review",
            )
        }
        initial["consent"] = [k for k, v in (client.marketing_consent or {}).items() if v]
    elif user.branch_id:
        initial = {"branch": user.branch_id}
    return ClientForm(
        request.POST or None,
        branches=tenancy_selectors.branch_list(user=user),
        managers=managers,
        editing=editing,
        masked=masked,
        initial=initial,
    )


@staff_required
def client_create(request):
    if not policy.can_create_client(request.user):
        raise PermissionDenied
    form = _client_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Client %(name)s created.") % {"name": client.name})
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "clients/form.html",
        {"form": form, "client": None},
        status=400 if form.errors else 200,
    )


@staff_required
def client_edit(request, client_id: int):
    client = selectors.client_get(user=request.user, client_id=client_id)
    if not policy.can_edit_profile(request.user, client):
        raise PermissionDenied
    form = _client_form(request, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(actor=request.user, client=client, **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "clients/form.html",
        {"form": form, "client": client},
        status=400 if form.errors else 200,
    )


@staff_required
def client_detail(request, client_id: int):
    """The client 360° page: core sections here, then the registered ones."""
    user = request.user
    client = selectors.client_get(user=user, client_id=client_id)
    can_edit = policy.can_edit_profile(user, client)
    return render(
        request,
        "clients/detail.html",
        {
            "client": client,
            "pii": selectors.client_pii_display(user=user, client=client),
            "goals": [
                dict(InvestmentGoal.choices).get(v, v) for v in client.investment_goals or []
            ],
            "interests": [dict(Interest.choices).get(v, v) for v in client.interests or []],
            "consent": [
                (label, bool((client.marketing_consent or {}).get(value)))
                for value, label in client.Channel.choices
            ],
            "life_events": list(selectors.life_event_list(user=user, client=client)),
            "groups": selectors.client_groups(user=user, client=client),
            "team": list(selectors.coverage_team(user=user, client=client)),
            "contacts": [
                (c, selectors.contact_display(user=user, contact=c, client=client))
                for c in selectors.contact_list(user=user, client=client)
            ],
            "can_edit": can_edit,
            "can_assign": policy.can_assign(user, client),
            "can_reveal": policy.can_reveal(user, client),
            "life_event_form": LifeEventForm() if can_edit else None,
            "sections": client_sections(request, client),
        },
    )


@staff_required
@require_POST
def client_reveal(request, client_id: int):
    """htmx: swap the masked personal data for the plain values (audited)."""
    client = selectors.client_get(user=request.user, client_id=client_id)
    plain = services.client_reveal(
        actor=request.user, client=client, ip_address=request.META.get("REMOTE_ADDR")
    )
    return render(
        request,
        "clients/_pii.html",
        {"client": client, "pii": {**plain, "address": client.address}, "revealed": True},
    )


# --- coverage -----------------------------------------------------------------------


@role_required(Role.ADMIN, Role.BRANCH_HEAD, Role.RM, Role.RISK_OFFICER, Role.COMPLIANCE)
def client_coverage(request, client_id: int):
    """Managers, coverage team and the full history; admins and branch heads change them here."""
    user = request.user
    client = selectors.client_get(user=user, client_id=client_id)
    can_assign = policy.can_assign(user, client)
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
    client = selectors.client_get(user=user, client_id=client_id)
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
    client = selectors.client_get(user=request.user, client_id=client_id)
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


# --- contact persons and life events -------------------------------------------------


@staff_required
def contact_edit(request, client_id: int, contact_id: int | None = None):
    user = request.user
    client = selectors.client_get(user=user, client_id=client_id)
    if not policy.can_edit_profile(user, client):
        raise PermissionDenied
    contact = (
        selectors.contact_get(user=user, contact_id=contact_id, client=client)
        if contact_id
        else None
    )
    initial = {}
    if contact is not None:
        initial = {
            f: getattr(contact, f)
            for f in ("name", "title", "is_decision_maker", "phone", "email", "preferred_channel")
        }
    form = ContactPersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if contact is None:
                services.contact_person_create(actor=user, client=client, **form.cleaned_data)
            else:
                services.contact_person_update(actor=user, contact=contact, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "clients/contact_form.html",
        {"form": form, "client": client, "contact": contact},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def contact_delete(request, client_id: int, contact_id: int):
    client = selectors.client_get(user=request.user, client_id=client_id)
    contact = selectors.contact_get(user=request.user, contact_id=contact_id, client=client)
    services.contact_person_delete(actor=request.user, contact=contact)
    messages.success(request, _("Contact person removed."))
    return redirect("clients:detail", client_id=client.pk)


@staff_required
@require_POST
def life_event_add(request, client_id: int):
    client = selectors.client_get(user=request.user, client_id=client_id)
    form = LifeEventForm(request.POST)
    if form.is_valid():
        try:
            services.life_event_create(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Life event recorded."))
    else:
        messages.error(request, _("Choose an event and a date."))
    return redirect("clients:detail", client_id=client.pk)


@staff_required
@require_POST
def life_event_delete(request, client_id: int, event_id: int):
    client = selectors.client_get(user=request.user, client_id=client_id)
    event = selectors.life_event_get(user=request.user, event_id=event_id, client=client)
    services.life_event_delete(actor=request.user, event=event)
    messages.success(request, _("Life event removed."))
    return redirect("clients:detail", client_id=client.pk)


# --- relationship groups ---------------------------------------------------------------


@staff_required
def group_list(request):
    user = request.user
    form = GroupForm(request.POST or None) if policy.can_manage_groups(user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                group = services.relationship_group_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Group created."))
                return redirect("clients:group_detail", group_id=group.pk)
    page = Paginator(selectors.group_list(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    rollups = selectors.group_rollups(user=user, group_ids=[g.pk for g in page])
    rows = [(g, rollups[g.pk]) for g in page]
    return render(
        request,
        "clients/groups.html",
        {"page": page, "rows": rows, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@staff_required
def group_detail(request, group_id: int):
    user = request.user
    group = selectors.group_get(user=user, group_id=group_id)
    form = GroupMemberForm(request.POST or None) if policy.can_manage_groups(user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            client = (
                selectors.client_list(user=user)
                .filter(external_id=form.cleaned_data["external_id"])
                .first()
            )
            if client is None:
                form.add_error("external_id", _("No client you can see has this core-banking id."))
            else:
                try:
                    services.group_member_add(
                        actor=user, group=group, client=client, role=form.cleaned_data["role"]
                    )
                except (ValidationError, PermissionDenied) as exc:
                    msgs = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                    form.add_error(None, msgs)
                else:
                    messages.success(request, _("Member added."))
                    return redirect("clients:group_detail", group_id=group.pk)
    return render(
        request,
        "clients/group_detail.html",
        {
            "group": group,
            "members": selectors.group_members(user=user, group=group),
            "rollup": selectors.group_rollups(user=user, group_ids=[group.pk])[group.pk],
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@staff_required
@require_POST
def group_member_remove(request, group_id: int, membership_id: int):
    group = selectors.group_get(user=request.user, group_id=group_id)
    membership = selectors.membership_get(
        user=request.user, group=group, membership_id=membership_id
    )
    services.group_member_remove(actor=request.user, membership=membership)
    messages.success(request, _("Member removed."))
    return redirect("clients:group_detail", group_id=group.pk)
