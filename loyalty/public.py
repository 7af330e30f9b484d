"""The client's public survey page ``/s/<token>/``: no login, single use,
expiring, in the client's language, CSRF-protected, rate-limited per address.

The token names the tenant (``links``): the page opens that tenant's scope
before it reads anything, so row-level security holds here as everywhere.
It shows the bank's name and the question, nothing about the client or any
other invitation. Unknown or forged token: 404. Answered or expired: 410
for GET and POST, and nothing is recorded. Too many requests from one
address: 429 (``LOYALTY_PUBLIC_RATE_LIMIT`` requests per
``LOYALTY_PUBLIC_RATE_WINDOW`` seconds, default 30 per 600, counted in the
cache).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from tenancy.context import tenant_scope
from tenancy.models import Tenant

from .models import SurveyInvitation, SurveyKind
from .surveys import services
from .surveys.links import parse_token


def _limited(request) -> bool:
    limit = getattr(settings, "LOYALTY_PUBLIC_RATE_LIMIT", 30)
    window = getattr(settings, "LOYALTY_PUBLIC_RATE_WINDOW", 600)
    ip = request.META.get("REMOTE_ADDR") or "unknown"
    key = f"loyalty:public-rate:{ip}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False
    return count > limit


def _page(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    # the token stays out of other sites' logs; not "no-referrer": browsers then send
    # "Origin: null" with the form and Django's CSRF check refuses the answer
    response["Referrer-Policy"] = "same-origin"
    return response


def _scores(kind: str) -> list[int]:
    low, high = services.SCORE_RANGE[SurveyKind(kind)]
    return list(range(low, high + 1))


@csrf_protect
@require_http_methods(["GET", "POST"])
def survey_page(request, token: str):
    if _limited(request):
        return _page(request, "loyalty/public/limited.html", {}, status=429)
    ids = parse_token(token)
    if ids is None or not Tenant.objects.filter(pk=ids.tenant_id).exists():
        return _page(request, "loyalty/public/not_found.html", {}, status=404)
    with tenant_scope(ids.tenant_id):
        invitation = (
            SurveyInvitation.objects.select_related("survey", "client")
            .filter(pk=ids.invitation_id)
            .first()
        )
        if invitation is None:
            return _page(request, "loyalty/public/not_found.html", {}, status=404)
        tenant = Tenant.objects.get(pk=ids.tenant_id)
        language = invitation.client.language or tenant.locale
        with translation.override(language):
            context = {
                "bank": tenant.name,
                "language": language,
                "question": invitation.survey.question_in(language),
                "kind": invitation.survey.kind,
                "scores": _scores(invitation.survey.kind),
            }
            if services.invitation_status(invitation) != SurveyInvitation.Status.SENT:
                return _page(request, "loyalty/public/gone.html", context, status=410)
            if request.method == "GET":
                return _page(request, "loyalty/public/survey.html", context)
            try:
                services.response_record(
                    invitation_id=invitation.pk,
                    score=request.POST.get("score"),
                    comment=request.POST.get("comment", ""),
                )
            except services.Gone:
                return _page(request, "loyalty/public/gone.html", context, status=410)
            except ValidationError as exc:
                context["errors"] = [m for msgs in exc.message_dict.values() for m in msgs]
                context["comment"] = request.POST.get("comment", "")[:2000]
                return _page(request, "loyalty/public/survey.html", context, status=400)
            return _page(request, "loyalty/public/thanks.html", context)
