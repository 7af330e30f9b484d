"""Client pages (thin): parse input, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy import directory
from tenancy import selectors as tenancy_selectors
from tenancy.forms import apply_errors
from tenancy.models import Role
from tenancy.views import staff_required

from .. import access, selectors, services
from ..forms import (
    ClientFilterForm,
    ClientForm,
    ContactPersonForm,
    LifeEventForm,
)
from ..models import Interest, InvestmentGoal
from ..sections import client_sections

PAGE_SIZE = 50


class ListPaginator(Paginator):
    """Pages the list's row tuples; counts the filtered clients themselves
    (the tuples' columns join the branch and the manager, which a count of
    100,000 clients need not: 21 ms of 30 for an admin), and only when the
    first page is full — an RM's few dozen clients are their own count."""

    def __init__(self, rows, per_page, *, counted):
        super().__init__(rows, per_page)
        self._counted = counted

    @cached_property
    def count(self) -> int:
        return self._counted.count()

    def get_page(self, number):
        if str(number or 1) == "1":
            rows = list(self.object_list[: self.per_page])
            if len(rows) < self.per_page:
                self.__dict__["count"] = len(rows)  # the cached_property, known
                return self._get_page(rows, 1, self)
        return super().get_page(number)


def _filter_form(user, data=None) -> ClientFilterForm:
    return ClientFilterForm(
        data,
        branches=tenancy_selectors.branch_choices(user=user),
        managers=selectors.manager_choices(user=user),
    )


@staff_required
def client_list(request):
    user = request.user
    if request.GET:
        form, filters_html = _filter_form(user, request.GET), None
        filters = form.cleaned_data if form.is_valid() else {}
    else:
        # the landing page's filters are the same for everyone of the tenant
        # reading the same language: rendered once per directory version
        form, filters = None, {}
        filters_html = directory.cached(
            user.tenant,
            f"client_list_filters:{translation.get_language()}",
            lambda: render_to_string("clients/_list_filters.html", {"form": _filter_form(user)}),
        )
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
    page = ListPaginator(selectors.for_list_page(qs), PAGE_SIZE, counted=qs).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "clients/list.html",
        {
            "form": form,
            "filters_html": filters_html,
            "page": page,
            "can_create": access.can_create_client(user),
            "can_bulk": user.role in (Role.ADMIN, Role.BRANCH_HEAD),
        },
    )


def _client_form(request, *, client=None):
    user = request.user
    editing = client is not None
    managers = None if user.role == Role.RM else selectors.assignable_managers(user=user)
    masked = access.client_pii_display(user=user, client=client) if editing else None
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
                "kyc_risk_level",
                "kyc_reviewed_on",
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
    if not access.can_create_client(request.user):
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
    client = access.client_get(user=request.user, client_id=client_id)
    if not access.can_edit_profile(request.user, client):
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
    client = access.client_get(user=user, client_id=client_id)
    can_edit = access.can_edit_profile(user, client)
    return render(
        request,
        "clients/detail.html",
        {
            "client": client,
            "pii": access.client_pii_display(user=user, client=client),
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
                (c, access.contact_pii_display(user=user, contact=c, client=client))
                for c in selectors.contact_list(user=user, client=client)
            ],
            "can_edit": can_edit,
            "can_assign": access.can_assign(user, client),
            "can_reveal": access.can_reveal(user, client),
            "life_event_form": LifeEventForm() if can_edit else None,
            "sections": client_sections(request, client),
        },
    )


@staff_required
@require_POST
def client_reveal(request, client_id: int):
    """htmx: swap the masked personal data for the plain values (audited)."""
    client = access.client_get(user=request.user, client_id=client_id)
    plain = services.client_reveal(
        actor=request.user, client=client, ip_address=request.META.get("REMOTE_ADDR")
    )
    return render(
        request,
        "clients/_pii.html",
        {"client": client, "pii": {**plain, "address": client.address}, "revealed": True},
    )


# --- coverage -----------------------------------------------------------------------


# --- contact persons and life events -------------------------------------------------


@staff_required
def contact_edit(request, client_id: int, contact_id: int | None = None):
    user = request.user
    client = access.client_get(user=user, client_id=client_id)
    if not access.can_edit_profile(user, client):
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
    client = access.client_get(user=request.user, client_id=client_id)
    contact = selectors.contact_get(user=request.user, contact_id=contact_id, client=client)
    services.contact_person_delete(actor=request.user, contact=contact)
    messages.success(request, _("Contact person removed."))
    return redirect("clients:detail", client_id=client.pk)


@staff_required
@require_POST
def life_event_add(request, client_id: int):
    client = access.client_get(user=request.user, client_id=client_id)
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
    client = access.client_get(user=request.user, client_id=client_id)
    event = selectors.life_event_get(user=request.user, event_id=event_id, client=client)
    services.life_event_delete(actor=request.user, event=event)
    messages.success(request, _("Life event removed."))
    return redirect("clients:detail", client_id=client.pk)


# --- relationship groups ---------------------------------------------------------------
