from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from .context import request_scope, tenant_scope
from .timezones import tenant_zone


def staff_language(user) -> str:
    """The language a tenant's staff member reads: the one they chose, else the
    tenant's default (never the browser's Accept-Language or a cookie left by
    someone else on the same browser)."""
    languages = dict(settings.LANGUAGES)
    for code in (user.language, user.tenant.locale):
        if code in languages:
            return code
    return settings.LANGUAGE_CODE


def activate_staff_language(request, user) -> None:
    translation.activate(staff_language(user))
    request.LANGUAGE_CODE = translation.get_language()


class TenantMiddleware:
    """Runs each request in one transaction with its tenant in scope, its
    times shown and parsed in the tenant's time zone, and in the staff member's
    language (their choice, else the tenant's default).

    Session-authenticated staff get their tenant here; token-authenticated API
    requests are scoped by ``ScopedAPIMixin.initial`` inside this same
    transaction. The context variable is reset when the request ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        tenant_id = getattr(user, "tenant_id", None) if user.is_authenticated else None
        if tenant_id is None:
            # override(None): a zone the API view activates after token
            # authentication ends with the request
            with request_scope(), timezone.override(None):
                return self.get_response(request)
        with tenant_scope(tenant_id):
            tenant = user.tenant
            activate_staff_language(request, user)
            with timezone.override(tenant_zone(tenant)):
                return self.get_response(request)
