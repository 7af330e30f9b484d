"""Households and corporate groups: the list, a group's page, removing a member."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy.forms import apply_errors
from tenancy.views import staff_required

from .. import access, selectors, services
from ..forms import (
    GroupForm,
    GroupMemberForm,
)
from .core import PAGE_SIZE


@staff_required
def group_list(request):
    user = request.user
    form = GroupForm(request.POST or None) if access.can_manage_groups(user) else None
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
    form = GroupMemberForm(request.POST or None) if access.can_manage_groups(user) else None
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
