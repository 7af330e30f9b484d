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


class SessionIdleMiddleware:
    """The idle timeout without a session write on every request: a signed-in
    session is saved again — its expiry moved to ``SESSION_COOKIE_AGE`` from
    now — once ``SESSION_TOUCH_SECONDS`` have passed since it was last saved.
    A session therefore ends between ``SESSION_COOKIE_AGE`` minus that interval
    and ``SESSION_COOKIE_AGE`` after the last request (never later), and a page
    no longer costs an UPDATE and a commit of the session row, nor leaves a dead
    row version behind for vacuum.

    After ``SessionMiddleware`` and ``AuthenticationMiddleware``."""

    KEY = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(timezone.now().timestamp())
            if now - session.get(self.KEY, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it
        return response
