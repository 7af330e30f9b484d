"""Login with a second factor, the Security page (enrolment, recovery codes,
API tokens) and the tenant admin's security settings. Rules in
``tenancy.twofactor`` and ``tenancy.tokens``; these views are thin."""

from __future__ import annotations

import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, tokens, twofactor
from .forms import apply_errors
from .forms_security import CodeForm, TenantTwoFactorForm
from .models import Role
from .views import LoginView, lockout_response, role_required, staff_required


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


class TwoStepLoginView(LoginView):
    """Password step. With an authenticator, the session only remembers
    "password ok, code pending" and the user goes on to the code step."""

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.has_two_factor(user):
            return super().form_valid(form)
        session = self.request.session
        session.cycle_key()
        session[twofactor.PENDING_SESSION_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_redirect_url(),
        }
        return redirect("login_code")


def _pending_user(request):
    pending = request.session.get(twofactor.PENDING_SESSION_KEY)
    if not pending or time.time() - pending.get("at", 0) > settings.OTP_PENDING_SECONDS:
        request.session.pop(twofactor.PENDING_SESSION_KEY, None)
        return None, None
    user = selectors.login_pending_user(user_id=pending["user_id"])
    return user, pending


@never_cache
def login_code(request):
    """Code step: a current authenticator code or a recovery code logs in."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Log in with your password first."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from axes.handlers.proxy import AxesProxyHandler

        if AxesProxyHandler.is_locked(request, {"username": user.get_username()}):
            request.session.pop(twofactor.PENDING_SESSION_KEY, None)
            return lockout_response(request)
        device = twofactor.otp_verify(user=user, code=form.cleaned_data["code"], request=request)
        if device is not None:
            request.session.pop(twofactor.PENDING_SESSION_KEY, None)
            user.otp_device = device  # django-otp records it in the new session
            login(request, user, backend=pending["backend"])
            return redirect(_safe_next(request, pending.get("next")))
        if getattr(request, "axes_locked_out", False):
            request.session.pop(twofactor.PENDING_SESSION_KEY, None)
        form.add_error("code", _("That code is not right."))
    return render(
        request,
        "registration/login_code.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")


@staff_required
@never_cache
def security(request):
    """The staff member's own Security page: authenticator, recovery codes,
    API tokens. Recovery codes are shown once, in the response that made them."""
    user = request.user
    context: dict = {"enrolled": twofactor.has_two_factor(user)}
    form = CodeForm(request.POST or None)
    action = request.POST.get("action") if request.method == "POST" else None
    status = 200
    if action == "confirm" and form.is_valid():
        try:
            device, codes = twofactor.totp_enrolment_confirm(
                user=user, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            twofactor.session_mark_verified(request, device)
            return render(
                request, "registration/security_codes.html", {"codes": codes, "new": True}
            )
    elif action == "renew_codes":
        if not twofactor.session_verified(request):
            raise PermissionDenied
        try:
            codes = twofactor.recovery_codes_renew(user=user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("security")
        return render(request, "registration/security_codes.html", {"codes": codes, "new": False})
    elif action == "disable" and form.is_valid():
        try:
            twofactor.two_factor_disable(user=user, code=form.cleaned_data["code"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            request.session[twofactor.HAS_DEVICE_SESSION_KEY] = False
            messages.success(request, _("Two-factor login is off."))
            return redirect("security")
    elif action == "logout_all":
        count = tokens.api_token_revoke_all(user=user, request=request)
        messages.success(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count)
            % {"count": count},
        )
        return redirect("security")
    if form.errors:
        status = 400
    if not context["enrolled"]:
        device = twofactor.totp_enrolment_start(user=user)
        uri = device.config_url
        context.update(
            secret=b32encode(device.bin_key).decode(), otpauth_uri=uri, qr_svg=_qr_svg(uri)
        )
    else:
        recovery = twofactor.recovery_device(user)
        context["recovery_remaining"] = recovery.remaining if recovery else 0
    context.update(
        form=form,
        required=user.tenant.require_two_factor,
        tokens=tokens.api_token_list(user=user),
    )
    return render(request, "registration/security.html", context, status=status)


@role_required(Role.ADMIN)
def manage_security(request):
    """Tenant admin: require two-factor login for every staff member."""
    tenant = request.user.tenant
    form = TenantTwoFactorForm(
        request.POST or None, initial={"require_two_factor": tenant.require_two_factor}
    )
    if request.method == "POST" and form.is_valid():
        twofactor.tenant_require_two_factor(
            actor=request.user, required=form.cleaned_data["require_two_factor"]
        )
        messages.success(request, _("Saved."))
        return redirect("tenancy:security")
    return render(request, "tenancy/manage/security.html", {"form": form, "tenant": tenant})


@role_required(Role.ADMIN)
@require_POST
def staff_revoke_tokens(request, staff_id: int):
    staff = selectors.staff_get(user=request.user, staff_id=staff_id)
    count = tokens.api_token_revoke_all(user=staff, actor=request.user, request=request)
    messages.success(
        request,
        ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count)
        % {"count": count},
    )
    return redirect("tenancy:staff_edit", staff_id=staff.pk)


@role_required(Role.ADMIN)
@require_POST
def staff_reset_two_factor(request, staff_id: int):
    staff = selectors.staff_get(user=request.user, staff_id=staff_id)
    twofactor.two_factor_disable(user=staff, code="", request=request, actor=request.user)
    messages.success(
        request, _("Two-factor login reset: they set it up again at their next login.")
    )
    return redirect("tenancy:staff_edit", staff_id=staff.pk)
