"""Pages and htmx fragments. Thin: parse input, call one selector or service,
render. Every htmx endpoint also works as a plain POST + redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clients.access import client_get
from tenancy.context import tenant_scope
from tenancy.forms import apply_errors
from tenancy.models import Role
from tenancy.timezones import user_zone
from tenancy.views import role_required, staff_required

from . import policy, selectors, services
from .forms import (
    AmendmentForm,
    CommunicationSettingsForm,
    FollowUpForm,
    InteractionEditForm,
    InteractionForm,
    NextStepFormSet,
    SharedRows,
    SnoozeForm,
    StatusForm,
)
from .ical import followups_to_ical
from .models import FollowUp, Interaction
from .sections import client_section_context
from .timeline import Cursor, timeline_page


def _client_page(client) -> str:
    try:
        return reverse("clients:detail", kwargs={"client_id": client.pk})
    except NoReverseMatch:
        return reverse("communications:client_log", kwargs={"client_id": client.pk})


def _back(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def _require_writer(user) -> None:
    """Compliance reads client data; the write pages are 403 for it."""
    if not policy.writes_client_data(user):
        raise PermissionDenied


# --- logging a call report ------------------------------------------------------------------


def _log(request, *, client, form, steps):
    """Validate the form and next steps, then call the service. Returns the
    interaction, or None with the errors attached to the forms."""
    if not (form.is_valid() and steps.is_valid()):
        return None
    data = form.cleaned_data
    try:
        return services.interaction_log(
            author=request.user,
            client=client,
            kind=data["kind"],
            subject=data["subject"],
            occurred_at=data["occurred_at"],
            duration_minutes=data.get("duration_minutes"),
            summary=data.get("summary", ""),
            outcome=data.get("outcome", ""),
            sentiment=data["sentiment"],
            confidential=data.get("confidential", False),
            contacts=data.get("contacts") or [],
            attendees=data.get("attendees") or [],
            next_steps=steps.steps(),
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and (
            "due_at" in exc.error_dict or "assignee" in exc.error_dict
        ):
            for f in steps.forms:
                apply_errors(
                    f,
                    ValidationError(
                        {k: v for k, v in exc.error_dict.items() if k in ("due_at", "assignee")}
                    ),
                )
            rest = {k: v for k, v in exc.error_dict.items() if k not in ("due_at", "assignee")}
            if rest:
                apply_errors(form, ValidationError(rest))
        else:
            apply_errors(form, exc)
        return None


def _logged_message(request, interaction) -> None:
    messages.success(
        request, _("Interaction logged: %(subject)s.") % {"subject": interaction.subject}
    )
    for warning in selectors.contact_warnings(
        client=interaction.client, channel=interaction.channel, at=interaction.occurred_at
    ):
        messages.warning(request, warning)


@staff_required
def client_log(request, client_id: int):
    """The client section's form: GET shows it (standalone page without the
    360° page), POST logs. htmx gets the refreshed section back."""
    client = client_get(user=request.user, client_id=client_id)
    _require_writer(request.user)
    colleagues = SharedRows(selectors.colleague_list(user=request.user))
    contacts = selectors.contact_persons(client=client)
    form = InteractionForm(
        request.POST or None, contacts=contacts, colleagues=colleagues, auto_id="log_%s"
    )
    steps = NextStepFormSet(request.POST or None, prefix="next", colleagues=colleagues)
    if request.method == "POST":
        interaction = _log(request, client=client, form=form, steps=steps)
        if interaction is not None:
            _logged_message(request, interaction)
            if request.htmx:
                ctx = client_section_context(request, client)
                return render(request, "communications/_client_section.html", {"section": ctx})
            return redirect(_client_page(client))
        if request.htmx:
            ctx = client_section_context(request, client)
            ctx.update(form=form, steps=steps)
            return render(request, "communications/_client_section.html", {"section": ctx})
    ctx = client_section_context(request, client)
    ctx.update(form=form, steps=steps)
    return render(
        request,
        "communications/client_log.html",
        {"section": ctx, "client": client},
        status=400 if form.errors or any(f.errors for f in steps.forms) else 200,
    )


@staff_required
def quick_log(request):
    """ "Log an interaction" from My day: choose the client, then the usual form."""
    user = request.user
    _require_writer(user)
    clients = selectors.client_choices(user=user)
    colleagues = selectors.colleague_list(user=user)
    form = InteractionForm(
        request.POST or None,
        clients=clients,
        colleagues=colleagues,
        auto_id="quick_%s",
        initial={"client": request.GET.get("client")},
    )
    steps = NextStepFormSet(request.POST or None, prefix="next", colleagues=colleagues)
    if request.method == "POST":
        client = None
        if request.POST.get("client"):
            # resolved through the access policy: an invisible client is a 404
            client = client_get(user=user, client_id=request.POST["client"])
        interaction = _log(request, client=client, form=form, steps=steps) if client else None
        if client is None:
            form.is_valid()
        if interaction is not None:
            _logged_message(request, interaction)
            if request.htmx:
                fresh = InteractionForm(
                    clients=clients[:300], colleagues=colleagues.none(), auto_id="quick_%s"
                )
                return render(request, "communications/_quick_log.html", {"quick_form": fresh})
            return redirect(_back(request, reverse("home")))
        if request.htmx:
            return render(request, "communications/_quick_log.html", {"quick_form": form})
    return render(
        request,
        "communications/quick_log.html",
        {"form": form, "steps": steps},
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def contact_warnings(request, client_id: int):
    """htmx: warnings for the channel and time being planned."""
    client = client_get(user=request.user, client_id=client_id)
    kind = request.GET.get("kind") or request.GET.get("channel") or ""
    channel = Interaction.KIND_CHANNEL.get(kind, kind if kind else client.preferred_channel)
    raw = request.GET.get("occurred_at") or request.GET.get("due_at") or ""
    at = None
    if raw:
        try:
            at = InteractionForm.base_fields["occurred_at"].clean(raw)
        except ValidationError:
            at = None
    warnings = selectors.contact_warnings(client=client, channel=channel, at=at)
    return render(request, "communications/_warnings.html", {"warnings": warnings})


@staff_required
@require_GET
def client_timeline(request, client_id: int):
    """htmx "more": the next page of the timeline."""
    client = client_get(user=request.user, client_id=client_id)
    entries, next_cursor = timeline_page(
        user=request.user, client=client, cursor=Cursor.decode(request.GET.get("cursor"))
    )
    ctx = {
        "client": client,
        "entries": entries,
        "next_cursor": next_cursor.encode() if next_cursor else "",
        "tz": user_zone(request.user),
    }
    template = (
        "communications/_timeline_entries.html" if request.htmx else "communications/timeline.html"
    )
    return render(request, template, {"section": ctx, "client": client})


# --- a call report -------------------------------------------------------------------------


def _detail_context(request, interaction):
    settings = selectors.comm_settings_get()
    locked_at = interaction.editable_until(settings.edit_window_hours)
    return {
        "interaction": interaction,
        "locked_at": locked_at,
        "can_edit": interaction.author_id == request.user.pk and timezone.now() < locked_at,
        "can_amend": services.interaction_can_amend(user=request.user, interaction=interaction),
        "amend_form": AmendmentForm(),
        "client_url": _client_page(interaction.client),
    }


@staff_required
def interaction_detail(request, interaction_id: int):
    interaction = selectors.interaction_get(user=request.user, interaction_id=interaction_id)
    return render(
        request, "communications/interaction_detail.html", _detail_context(request, interaction)
    )


@staff_required
def interaction_edit(request, interaction_id: int):
    interaction = selectors.interaction_get(user=request.user, interaction_id=interaction_id)
    initial = {f: getattr(interaction, f) for f in services.EDITABLE_FIELDS}
    form = InteractionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {f: v for f, v in form.cleaned_data.items() if v != initial.get(f)}
        try:
            services.interaction_update(actor=request.user, interaction=interaction, **changes)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Call report saved."))
            return redirect("communications:interaction_detail", interaction_id=interaction.pk)
    ctx = _detail_context(request, interaction)
    ctx["form"] = form
    return render(
        request, "communications/interaction_edit.html", ctx, status=400 if form.errors else 200
    )


@staff_required
def interaction_amend(request, interaction_id: int):
    interaction = selectors.interaction_get(user=request.user, interaction_id=interaction_id)
    if request.method != "POST":  # looked up first: a foreign id is a 404 for any method
        return HttpResponseNotAllowed(["POST"])
    form = AmendmentForm(request.POST)
    if form.is_valid():
        try:
            services.interaction_amend(
                actor=request.user, interaction=interaction, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Amendment added."))
            return redirect("communications:interaction_detail", interaction_id=interaction.pk)
    ctx = _detail_context(request, interaction)
    ctx["amend_form"] = form
    return render(request, "communications/interaction_detail.html", ctx, status=400)


# --- follow-ups ----------------------------------------------------------------------------


@role_required(Role.RM, Role.BRANCH_HEAD, Role.ADMIN, Role.RISK_OFFICER, Role.COMPLIANCE)
def followup_list(request):
    user = request.user
    qs = selectors.followup_list(user=user)
    scope = request.GET.get("scope", "mine")
    if scope != "team":
        qs = qs.filter(assignee_id=user.pk)
    status = request.GET.get("status", FollowUp.Status.OPEN)
    if status in FollowUp.Status.values:
        qs = qs.filter(status=status)
    when = request.GET.get("when", "")
    now = timezone.now()
    start, end = selectors.local_day_bounds(now, user_zone(user))
    if when == "overdue":
        qs = qs.filter(due_at__lt=now, status=FollowUp.Status.OPEN)
    elif when == "today":
        qs = qs.filter(due_at__gte=start, due_at__lt=end)
    elif when == "upcoming":
        qs = qs.filter(due_at__gte=end)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "communications/followups.html",
        {
            "page": page,
            "scope": scope,
            "status": status,
            "when": when,
            "statuses": FollowUp.Status.choices,
            "has_feed": selectors.has_calendar_token(user=user),
            "now": now,
            "feed_url": request.session.pop("calendar_feed_url", ""),
        },
    )


@staff_required
def followup_create(request, client_id: int):
    client = client_get(user=request.user, client_id=client_id)
    _require_writer(request.user)
    colleagues = selectors.colleague_list(user=request.user)
    form = FollowUpForm(
        request.POST or None, colleagues=colleagues, user=request.user, auto_id="fu_%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = services.followup_create(
                actor=request.user, client=client, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Follow-up added."))
            for warning in selectors.contact_warnings(
                client=client, channel=client.preferred_channel, at=follow_up.due_at
            ):
                messages.warning(request, warning)
            if request.htmx:
                ctx = client_section_context(request, client)
                return render(request, "communications/_client_section.html", {"section": ctx})
            return redirect(_client_page(client))
    ctx = client_section_context(request, client)
    ctx["followup_form"] = form
    if request.htmx:
        return render(request, "communications/_client_section.html", {"section": ctx})
    return render(
        request,
        "communications/followup_new.html",
        {"section": ctx, "client": client, "form": form},
        status=400 if form.errors else 200,
    )


def _followup_done(request, follow_up, ok_message):
    if request.htmx:
        return render(
            request,
            "communications/_followup_row.html",
            {"fu": follow_up, "now": timezone.now(), "flash": ok_message},
        )
    messages.success(request, ok_message)
    return redirect(_back(request, reverse("communications:followups")))


@staff_required
def followup_status(request, followup_id: int):
    follow_up = selectors.followup_get(user=request.user, followup_id=followup_id)
    if request.method != "POST":  # looked up first: a foreign id is a 404 for any method
        return HttpResponseNotAllowed(["POST"])
    form = StatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unknown status."), status=400)
    services.followup_set_status(
        actor=request.user, follow_up=follow_up, status=form.cleaned_data["status"]
    )
    return _followup_done(request, follow_up, _("Follow-up updated."))


@staff_required
def followup_snooze(request, followup_id: int):
    follow_up = selectors.followup_get(user=request.user, followup_id=followup_id)
    if request.method != "POST":  # looked up first: a foreign id is a 404 for any method
        return HttpResponseNotAllowed(["POST"])
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose how long to snooze."), status=400)
    try:
        services.followup_snooze(
            actor=request.user, follow_up=follow_up, until=form.until_datetime()
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    return _followup_done(
        request,
        follow_up,
        _("Snoozed until %(time)s.")
        % {"time": timezone.localtime(follow_up.due_at).strftime("%Y-%m-%d %H:%M")},
    )


# --- the iCalendar feed ------------------------------------------------------------------------


@staff_required
@require_POST
def calendar_rotate(request):
    token = services.calendar_token_rotate(user=request.user)
    url = request.build_absolute_uri(
        reverse("communications:calendar_feed", kwargs={"token": token})
    )
    # shown once on the follow-ups page (only the token's hash is stored)
    request.session["calendar_feed_url"] = url
    messages.success(
        request, _("New calendar feed address created; the previous one no longer works.")
    )
    return redirect("communications:followups")


@require_GET
@never_cache
def calendar_feed(request, token: str):
    """Private feed for calendar apps (no session). A wrong token is a 404; so
    is a signed-in user asking for someone else's feed."""
    owner = selectors.calendar_token_owner(token=token)
    if request.user.is_authenticated and request.user.pk != owner.pk:
        raise Http404
    with tenant_scope(owner.tenant_id):
        follow_ups = list(selectors.calendar_followups(user=owner)[:1000])
        body = followups_to_ical(
            owner=owner, follow_ups=follow_ups, base_url=request.build_absolute_uri("/")
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="steward-follow-ups.ics"'
    return response


# --- notifications --------------------------------------------------------------------------


@staff_required
def notification_list(request):
    page = Paginator(selectors.notification_list(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "communications/notifications.html",
        {"page": page, "unread": selectors.notification_unread_count(user=request.user)},
    )


@staff_required
def notification_read(request, notification_id: int):
    notification = selectors.notification_get(user=request.user, notification_id=notification_id)
    if request.method != "POST":  # looked up first: a foreign id is a 404 for any method
        return HttpResponseNotAllowed(["POST"])
    services.notification_mark_read(user=request.user, notifications=[notification])
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("communications:notifications")


@staff_required
@require_POST
def notification_read_all(request):
    services.notification_mark_read(user=request.user, notifications=None)
    if request.htmx:
        return render(request, "communications/_nav_badge_count.html", {"unread": 0})
    return redirect("communications:notifications")


@staff_required
@require_GET
def notification_badge(request):
    """htmx: the unread count in the navigation."""
    return render(
        request,
        "communications/_nav_badge_count.html",
        {"unread": selectors.notification_unread_count(user=request.user)},
    )


# --- tenant settings ----------------------------------------------------------------------------


@role_required(Role.ADMIN)
def settings_edit(request):
    current = selectors.comm_settings_get()
    form = CommunicationSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            services.comm_settings_update(actor=request.user, **values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("communications:settings")
    return render(
        request, "communications/settings.html", {"form": form}, status=400 if form.errors else 200
    )
