"""Event pages: the list (upcoming / past), an event (details, invitations
of the clients the user sees, suggested invitees, invite), create and edit,
and the check-in page for the phone. Thin: parse input, call one selector or
service, redirect or render."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenancy.forms import apply_errors
from tenancy.timezones import user_zone
from tenancy.views import staff_required

from . import policy, selectors, services
from .forms import EventForm
from .links import rsvp_url

PAGE = 25


def _errors_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@staff_required
@require_GET
def event_list(request):
    """Upcoming events (soonest first) or past ones (``?when=past``, newest first)."""
    now = timezone.now()
    past = request.GET.get("when") == "past"
    qs = selectors.event_list(user=request.user)
    qs = (
        qs.filter(starts_at__lte=now).order_by("-starts_at", "-pk")
        if past
        else qs.filter(starts_at__gt=now)
    )
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "loyalty/events/list.html",
        {
            "page": page,
            "past": past,
            "may_create": policy.can_create(request.user),
            "tz": user_zone(request.user),
        },
    )


@dataclass
class Window:
    """One page of suggestions without a COUNT over the whole bank (at 100,000
    clients the count alone cost as much as the page): "next" while there is more."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _window(qs, raw_page) -> Window:
    try:
        number = max(1, min(int(raw_page or 1), 10_000))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE
    rows = list(qs[start : start + PAGE + 1])
    return Window(rows[:PAGE], number, len(rows) > PAGE)


@staff_required
@require_GET
def event_detail(request, event_id: int):
    user = request.user
    event = selectors.event_get(user=user, event_id=event_id)
    now = timezone.now()
    invitations = Paginator(selectors.invitation_list(user=user, event=event), 50).get_page(
        request.GET.get("ipage")
    )
    # the link answers for the client: shown to those who invite, not to read-only roles
    show_links = policy.can_invite(user)
    for inv in invitations:
        inv.url = (
            rsvp_url(tenant_id=inv.tenant_id, invitation_id=inv.pk, request=request)
            if show_links
            else ""
        )
    may_invite = policy.can_invite(user) and event.starts_at > now
    suggestions = None
    if may_invite:
        suggestions = _window(
            selectors.suggested_invitees(user=user, event=event, now=now), request.GET.get("page")
        )
    return render(
        request,
        "loyalty/events/detail.html",
        {
            "event": event,
            "invitations": invitations,
            "suggestions": suggestions,
            "may_invite": may_invite,
            "may_edit": policy.can_edit(user, event),
            "may_check_in": policy.can_check_in(user),
            "tz": user_zone(user),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    if not policy.can_create(request.user):
        raise PermissionDenied
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(user=request.user, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Event created."))
            return redirect("loyalty:event", event_id=event.pk)
    return render(
        request,
        "loyalty/events/edit.html",
        {"form": form, "event": None},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def event_edit(request, event_id: int):
    event = selectors.event_get(user=request.user, event_id=event_id)
    if not policy.can_edit(request.user, event):
        raise PermissionDenied
    form = EventForm(
        request.POST or None, instance=copy(event)
    )  # validation must not touch `event`
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(user=request.user, event=event, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Event saved."))
            return redirect("loyalty:event", event_id=event.pk)
    return render(
        request,
        "loyalty/events/edit.html",
        {"form": form, "event": event},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def event_invite(request, event_id: int):
    """Invite the ticked suggested clients (all or none)."""
    event = selectors.event_get(user=request.user, event_id=event_id)
    if not policy.can_invite(request.user):
        raise PermissionDenied
    try:
        created = services.invitations_create(
            user=request.user, event=event, client_ids=request.POST.getlist("clients")
        )
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        links = sum(1 for inv in created if inv.channel == "link")
        messages.success(
            request,
            _("%(n)s clients invited (%(links)s without a consented channel: hand them the link).")
            % {"n": len(created), "links": links},
        )
    return redirect("loyalty:event", event_id=event.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def event_check_in(request, event_id: int):
    """The door list on a phone: accepted and waitlisted invitees of the
    clients the user sees, one big button each."""
    user = request.user
    event = selectors.event_get(user=user, event_id=event_id)
    if not policy.can_check_in(user):
        raise PermissionDenied
    if request.method == "POST":
        invitation = selectors.invitation_get(
            user=user, invitation_id=request.POST.get("invitation"), event=event
        )
        try:
            services.check_in(user=user, invitation=invitation)
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(
                request, _("%(client)s checked in.") % {"client": invitation.client.name}
            )
        return redirect("loyalty:event_check_in", event_id=event.pk)
    opens, closes = services.check_in_window(event)
    now = timezone.now()
    rows = Paginator(selectors.check_in_list(user=user, event=event), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "loyalty/events/check_in.html",
        {
            "event": event,
            "page": rows,
            "open": opens <= now < closes,
            "opens": opens,
            "closes": closes,
            "tz": user_zone(user),
        },
    )
