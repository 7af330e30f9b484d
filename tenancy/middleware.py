from __future__ import annotations

from django.conf import settings
from django.utils import translation

from .context import request_scope, tenant_scope


class TenantMiddleware:
    """Runs each request in one transaction with its tenant in scope.

    Session-authenticated staff get their tenant here; token-authenticated API
    requests are scoped by ``ScopedAPIView.initial`` inside this same
    transaction. The context variable is reset when the request ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        tenant_id = getattr(user, "tenant_id", None) if user.is_authenticated else None
        if tenant_id is None:
            with request_scope():
                return self.get_response(request)
        with tenant_scope(tenant_id):
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                # No explicit choice yet: speak the tenant's language.
                translation.activate(user.tenant.locale)
                request.LANGUAGE_CODE = translation.get_language()
            return self.get_response(request)
