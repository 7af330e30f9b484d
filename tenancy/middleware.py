from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from .context import request_scope, tenant_scope
from .timezones import tenant_zone


class TenantMiddleware:
    """Runs each request in one transaction with its tenant in scope, its
    times shown and parsed in the tenant's time zone, and — until the user
    picks a language — the tenant's language.

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
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(tenant.locale)
                request.LANGUAGE_CODE = translation.get_language()
            with timezone.override(tenant_zone(tenant)):
                return self.get_response(request)
