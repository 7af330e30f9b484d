"""The client's public RSVP page ``/e/<token>/``: no login, CSRF-protected,
rate-limited per address (the survey page's limit), in the client's
language, ``Cache-Control: no-store``, ``Referrer-Policy: same-origin``.

The token names the tenant (``links``): the page opens that tenant's scope
before it reads anything, so row-level security holds. It shows the bank's
name, the event's title, time and place and the client's own status —
nothing else. Unknown or forged token: 404. After the event starts: 410 for
GET and POST, nothing recorded. POST ``answer`` = ``yes`` or ``no`` → 200
saying the outcome (a yes beyond capacity: waitlisted)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from tenancy.context import tenant_scope
from tenancy.models import Tenant

from ..models import EventInvitation
from ..public import _limited, _page
from . import services
from .links import parse_rsvp_token

NOT_FOUND = "loyalty/events/public/not_found.html"


@csrf_protect
@require_http_methods(["GET", "POST"])
def rsvp_page(request, token: str):
    if _limited(request):
        return _page(request, "loyalty/public/limited.html", {}, status=429)
    ids = parse_rsvp_token(token)
    if ids is None or not Tenant.objects.filter(pk=ids.tenant_id).exists():
        return _page(request, NOT_FOUND, {}, status=404)
    with tenant_scope(ids.tenant_id):
        invitation = (
            EventInvitation.objects.select_related("event", "client")
            .filter(pk=ids.invitation_id)
            .first()
        )
        if invitation is None:
            return _page(request, NOT_FOUND, {}, status=404)
        tenant = Tenant.objects.get(pk=ids.tenant_id)
        language = invitation.client.language or tenant.locale
        with translation.override(language), timezone.override(tenant.timezone):
            event = invitation.event
            context = {
                "bank": tenant.name,
                "language": language,
                "title": event.title_in(language),
                "starts_at": timezone.localtime(event.starts_at),
                "ends_at": timezone.localtime(event.ends_at) if event.ends_at else None,
                "location": event.location,
                "status": invitation.status,
                "status_label": invitation.get_status_display(),
            }
            if event.starts_at <= timezone.now():
                return _page(request, "loyalty/events/public/gone.html", context, status=410)
            if request.method == "GET":
                return _page(request, "loyalty/events/public/rsvp.html", context)
            try:
                answered = services.rsvp_answer(
                    invitation_id=invitation.pk, answer=request.POST.get("answer", "")
                )
            except services.Gone:
                return _page(request, "loyalty/events/public/gone.html", context, status=410)
            except Http404:
                return _page(request, NOT_FOUND, {}, status=404)
            except ValidationError as exc:
                context["errors"] = [m for msgs in exc.message_dict.values() for m in msgs]
                return _page(request, "loyalty/events/public/rsvp.html", context, status=400)
            context.update(status=answered.status, status_label=answered.get_status_display())
            return _page(request, "loyalty/events/public/answered.html", context)
