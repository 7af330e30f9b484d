"""Two-factor login (TOTP with django-otp, plus single-use recovery codes).

Rules:
- A staff member with a confirmed authenticator logs in in two steps: the
  password step only records "password ok, code pending" in the session (the
  user stays anonymous: no page or API answers), the code step logs in.
- A wrong code is a failed login for the same username and address as the
  password step (django-axes counts both towards one lockout).
- A tenant admin may require two-factor login for the whole tenant; staff
  without an authenticator are then sent to enrolment after the password
  step and can reach nothing else (``TwoFactorMiddleware``).
- Every step is audited: enrolled, verified, failed, recovery code used,
  recovery codes renewed, disabled, enforcement changed.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from .audit import audit_record
from .context import current_tenant_id, tenant_scope
from .models import Role, Tenant, User
from .models_security import AuthenticatorDevice, RecoveryCodeDevice

HAS_DEVICE_SESSION_KEY = "steward_otp_enrolled"
PENDING_SESSION_KEY = "steward_otp_pending"


def _in_tenant(user: User):
    if current_tenant_id() == user.tenant_id:
        return transaction.atomic()
    return tenant_scope(user.tenant_id)


def _ip(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


# --- reads -----------------------------------------------------------------------


def totp_device(user: User) -> AuthenticatorDevice | None:
    return AuthenticatorDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return AuthenticatorDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def recovery_device(user: User) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user_id=user.pk, confirmed=True).first()


# --- enrolment -------------------------------------------------------------------


def totp_enrolment_start(*, user: User) -> AuthenticatorDevice:
    """The unconfirmed authenticator being set up (a new secret the first time)."""
    device = AuthenticatorDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = AuthenticatorDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    return device


def totp_enrolment_confirm(
    *, user: User, code: str, request=None
) -> tuple[AuthenticatorDevice, list[str]]:
    """Confirm the authenticator with a current code; returns it and ten new
    recovery codes (shown once). Raises ValidationError(code) on a wrong code."""
    device = AuthenticatorDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None or not device.verify_token((code or "").strip()):
        raise ValidationError({"code": _("That code is not right. Enter the current code.")})
    with _in_tenant(user):
        AuthenticatorDevice.objects.filter(user_id=user.pk, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        RecoveryCodeDevice.objects.filter(user_id=user.pk).delete()
        codes_device = RecoveryCodeDevice.objects.create(
            user=user, name="recovery codes", confirmed=True
        )
        codes = codes_device.generate()
        audit_record(action="auth.2fa_enrolled", actor=user, target=user, ip_address=_ip(request))
    return device, codes


def recovery_codes_renew(*, user: User, request=None) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not has_two_factor(user):
        raise ValidationError(_("Set up an authenticator first."))
    with _in_tenant(user):
        device, _created = RecoveryCodeDevice.objects.get_or_create(
            user=user, defaults={"name": "recovery codes", "confirmed": True}
        )
        codes = device.generate()
        audit_record(
            action="auth.recovery_codes_renewed", actor=user, target=user, ip_address=_ip(request)
        )
    return codes


def two_factor_disable(*, user: User, code: str, request=None, actor: User | None = None) -> None:
    """Remove the user's authenticator and recovery codes. By the user (with
    a current code; refused where the tenant requires two-factor login) or by
    the tenant admin for a staff member who lost their phone (``actor``)."""
    if actor is None:
        if user.tenant.require_two_factor:
            raise PermissionDenied(_("Your bank requires two-factor login."))
        if otp_verify(user=user, code=code, request=request) is None:
            raise ValidationError({"code": _("That code is not right.")})
    elif actor.role != Role.ADMIN or actor.tenant_id != user.tenant_id:
        raise PermissionDenied
    with _in_tenant(user):
        AuthenticatorDevice.objects.filter(user_id=user.pk).delete()
        RecoveryCodeDevice.objects.filter(user_id=user.pk).delete()
        audit_record(
            action="auth.2fa_disabled", actor=actor or user, target=user, ip_address=_ip(request)
        )


def tenant_require_two_factor(*, actor: User, required: bool) -> Tenant:
    """The tenant admin switches two-factor login on or off for the tenant."""
    if actor.role != Role.ADMIN or actor.tenant_id is None:
        raise PermissionDenied
    with _in_tenant(actor):
        tenant = Tenant.objects.select_for_update().get(pk=actor.tenant_id)
        if tenant.require_two_factor != required:
            tenant.require_two_factor = required
            tenant.save(update_fields=["require_two_factor"])
            audit_record(
                action="tenant.2fa_enforcement_changed",
                actor=actor,
                target=tenant,
                data={"required": required},
            )
    actor.tenant.require_two_factor = required
    return tenant


# --- verification ----------------------------------------------------------------


def otp_verify(*, user: User, code: str, request=None):
    """Check ``code`` against the user's authenticator, then their recovery
    codes. Returns the device that accepted it, or None. A wrong code is a
    failed login (axes counts it; the audit receiver records auth.otp_failed)."""
    code = (code or "").strip()
    device = None
    if code:
        totp = totp_device(user)
        if totp is not None and code.isdigit() and totp.verify_token(code):
            device = totp
        else:
            recovery = recovery_device(user)
            if recovery is not None and recovery.verify_token(code):
                device = recovery
    if device is None:
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.get_username(), "second_factor": True},
            request=request,
        )
        return None
    with _in_tenant(user):
        if isinstance(device, RecoveryCodeDevice):
            audit_record(
                action="auth.recovery_code_used",
                actor=user,
                target=user,
                data={"remaining": device.remaining},
                ip_address=_ip(request),
            )
        else:
            audit_record(
                action="auth.otp_verified", actor=user, target=user, ip_address=_ip(request)
            )
    return device


@receiver(user_logged_in, dispatch_uid="tenancy.twofactor_remember")
def remember_enrolment(sender, request, user, **kwargs):
    """Every login, by whatever path, notes in the session whether the user
    has an authenticator, so the middleware needs no query per request."""
    session = getattr(request, "session", None)
    if session is None or getattr(user, "tenant_id", None) is None:
        return
    session[HAS_DEVICE_SESSION_KEY] = has_two_factor(user)


def session_mark_verified(request, device) -> None:
    """The session has just given a second factor (e.g. right after enrolment)."""
    otp_login(request, device)
    request.session[HAS_DEVICE_SESSION_KEY] = True


def session_verified(request) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


# --- the wall ----------------------------------------------------------------------

ENROLMENT_PATHS = ("/account/security/", "/accounts/logout/", "/i18n/")


class TwoFactorMiddleware:
    """Session users who need a second factor and have not given one reach
    nothing: with an authenticator they are logged out (the code step was
    skipped); without one, where the tenant requires it, only the Security
    page (enrolment) and logging out answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.tenant_id is not None and not session_verified(request):
            enrolled = request.session.get(HAS_DEVICE_SESSION_KEY)
            if enrolled is None:  # a session from before this rule: ask once
                enrolled = request.session[HAS_DEVICE_SESSION_KEY] = has_two_factor(user)
            if enrolled:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Log in again.")}, status=401)
                return redirect("login")
            if user.tenant.require_two_factor and not request.path.startswith(ENROLMENT_PATHS):
                message = _("Your bank requires two-factor login: set up an authenticator first.")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                return redirect("security")
        return self.get_response(request)
