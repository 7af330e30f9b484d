"""Two-factor login (issue 8 finding 14): TOTP enrolment, recovery codes,
the two-step login with nothing reachable in between, the shared lockout,
per-tenant enforcement and the audit of every step."""

import time
from base64 import b32encode

import pytest
from django.conf import settings
from django.db import connection
from django_otp.oath import TOTP
from rest_framework.test import APIClient

from tenancy import twofactor
from tenancy.models import AuditEvent, AuthenticatorDevice, RecoveryCodeDevice

from ..factories import PASSWORD

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
SECURITY = "/account/security/"
TOKEN = "/api/v1/auth/token/"


def code_for(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user):
    """Enrol ``user`` as the Security page does; returns (device, recovery codes)."""
    device = twofactor.totp_enrolment_start(user=user)
    return twofactor.totp_enrolment_confirm(user=user, code=code_for(device))


def actions(bank):
    with bank.scope():
        return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def no_backoff(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


# --- enrolment ------------------------------------------------------------------


def test_enrolment_shows_a_secret_and_confirms_with_a_code(bank, client):
    client.force_login(bank.rm)
    page = client.get(SECURITY)
    assert page.status_code == 200
    device = AuthenticatorDevice.objects.get(user=bank.rm, confirmed=False)
    body = page.content.decode()
    assert "otpauth://totp/" in body and "<svg" in body
    response = client.post(SECURITY, {"action": "confirm", "code": code_for(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert AuthenticatorDevice.objects.get(pk=device.pk).confirmed
    assert "auth.2fa_enrolled" in actions(bank)
    assert client.get("/").status_code == 200  # the enrolling session counts as verified


def test_enrolment_refuses_a_wrong_code(bank, client):
    client.force_login(bank.rm)
    client.get(SECURITY)
    response = client.post(SECURITY, {"action": "confirm", "code": "000000"})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert not twofactor.has_two_factor(bank.rm)


def test_authenticator_secret_is_encrypted_at_rest(bank):
    device, _codes = enrol(bank.rm)
    secret_hex, secret_b32 = device.bin_key.hex(), b32encode(device.bin_key).decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenancy_authenticatordevice")
        stored = " ".join(str(v) for r in cursor.fetchall() for v in r)
    assert secret_hex not in stored.lower() and secret_b32 not in stored.upper()


def test_recovery_codes_are_stored_only_as_digests(bank):
    _device, codes = enrol(bank.rm)
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(digests AS TEXT) FROM tenancy_recoverycodedevice")
        stored = cursor.fetchone()[0]
    normalised = [c.replace("-", "") for c in codes]
    assert not any(c in stored or n in stored for c, n in zip(codes, normalised, strict=True))
    assert RecoveryCodeDevice.objects.get(user=bank.rm).remaining == 10


# --- two-step login -------------------------------------------------------------


def test_password_step_alone_reaches_no_page_or_api(bank, client):
    enrol(bank.rm)
    response = client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == CODE
    assert client.get("/").status_code == 302
    assert client.get("/clients/").status_code == 302
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert client.get(SECURITY).status_code == 302
    assert "_auth_user_id" not in client.session


def test_code_step_logs_in_and_is_audited(bank, client):
    device, _codes = enrol(bank.rm)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    response = client.post(CODE, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert actions(bank)[-2:] == ["auth.otp_verified", "auth.login"]


def test_wrong_code_is_refused_and_audited(bank, client):
    enrol(bank.rm)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
    assert actions(bank)[-1] == "auth.otp_failed"


def test_wrong_codes_count_towards_the_password_lockout(bank, client):
    device, _codes = enrol(bank.rm)
    limit = settings.AXES_FAILURE_LIMIT
    client.post(LOGIN, {"username": bank.rm.username, "password": "wrong-password"})
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    codes = [client.post(CODE, {"code": "123456"}).status_code for _ in range(limit - 1)]
    assert codes[:-1] == [400] * (limit - 2)
    assert codes[-1] == 429
    # locked: neither the password nor a right code gets in now
    locked = client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert client.post(CODE, {"code": code_for(device, 1)}).status_code in (302, 429)
    assert client.get("/").status_code == 302


def test_code_step_without_password_step_goes_back_to_login(bank, client):
    assert client.get(CODE).status_code == 302
    assert client.post(CODE, {"code": "123456"})["Location"] == LOGIN


def test_pending_password_step_expires(bank, client, settings):
    device, _codes = enrol(bank.rm)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    session = client.session
    session[twofactor.PENDING_SESSION_KEY]["at"] -= settings.OTP_PENDING_SECONDS + 1
    session.save()
    assert client.post(CODE, {"code": code_for(device, 1)})["Location"] == LOGIN


def test_recovery_code_works_once(bank, client, no_backoff):
    _device, codes = enrol(bank.rm)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert client.post(CODE, {"code": codes[0].upper()}).status_code == 302
    assert "auth.recovery_code_used" in actions(bank)
    client.post("/accounts/logout/")
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert client.post(CODE, {"code": codes[0]}).status_code == 400
    assert RecoveryCodeDevice.objects.get(user=bank.rm).remaining == 9


def test_same_totp_code_cannot_be_replayed(bank, client, no_backoff):
    device, _codes = enrol(bank.rm)
    code = code_for(device, 1)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert client.post(CODE, {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert client.post(CODE, {"code": code}).status_code == 400


def test_session_that_skipped_the_code_step_is_logged_out(bank, client):
    enrol(bank.rm)
    client.force_login(bank.rm)  # a login by any other path
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_next_is_kept_through_the_code_step(bank, client):
    device, _codes = enrol(bank.rm)
    client.post(
        LOGIN + "?next=/clients/",
        {"username": bank.rm.username, "password": PASSWORD, "next": "/clients/"},
    )
    assert client.post(CODE, {"code": code_for(device, 1)})["Location"] == "/clients/"


# --- disabling, admin reset -------------------------------------------------------


def test_staff_turn_two_factor_off_with_a_current_code(bank, client, no_backoff):
    device, _codes = enrol(bank.rm)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    client.post(CODE, {"code": code_for(device, 1)})
    assert client.post(SECURITY, {"action": "disable", "code": "000000"}).status_code == 400
    assert twofactor.has_two_factor(bank.rm)
    assert (
        client.post(SECURITY, {"action": "disable", "code": code_for(device, 2)}).status_code == 302
    )
    assert not twofactor.has_two_factor(bank.rm)
    assert "auth.2fa_disabled" in actions(bank)


def test_admin_resets_a_staff_members_two_factor(bank, client):
    enrol(bank.rm)
    client.force_login(bank.admin)
    assert client.post(f"/manage/staff/{bank.rm.pk}/reset-two-factor/").status_code == 302
    assert not twofactor.has_two_factor(bank.rm)
    assert "auth.2fa_disabled" in actions(bank)


def test_admin_cannot_reset_another_banks_staff(bank, other_bank, client):
    enrol(other_bank.rm)
    client.force_login(bank.admin)
    assert client.post(f"/manage/staff/{other_bank.rm.pk}/reset-two-factor/").status_code == 404
    assert twofactor.has_two_factor(other_bank.rm)


def test_new_recovery_codes_replace_the_old(bank, client):
    device, codes = enrol(bank.rm)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    client.post(CODE, {"code": code_for(device, 1)})
    response = client.post(SECURITY, {"action": "renew_codes"})
    new = response.context["codes"]
    assert set(new).isdisjoint(codes)
    assert not RecoveryCodeDevice.objects.get(user=bank.rm).verify_token(codes[1])


# --- enforcement per tenant ----------------------------------------------------------


def _require(bank, client, on=True):
    client.force_login(bank.admin)
    data = {"require_two_factor": "on"} if on else {}
    assert client.post("/manage/security/", data).status_code == 302
    client.post("/accounts/logout/")
    bank.tenant.refresh_from_db()


def test_admin_requires_two_factor_for_the_tenant_and_it_is_audited(bank, client):
    _require(bank, client)
    assert bank.tenant.require_two_factor
    assert "tenant.2fa_enforcement_changed" in actions(bank)


@pytest.mark.parametrize("role", ["rm", "branch_head", "risk_officer", "compliance"])
def test_only_the_tenant_admin_changes_enforcement(bank, client, role):
    client.force_login(getattr(bank, role))
    assert client.post("/manage/security/", {"require_two_factor": "on"}).status_code == 403
    bank.tenant.refresh_from_db()
    assert not bank.tenant.require_two_factor


def test_enforced_user_without_device_can_only_enrol(bank, client):
    _require(bank, client)
    response = client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert response.status_code == 302
    for path in ("/", "/clients/", "/manage/"):
        assert client.get(path)["Location"] == SECURITY
    assert client.get("/api/v1/me/").status_code == 403
    assert client.get(SECURITY).status_code == 200
    device = AuthenticatorDevice.objects.get(user=bank.rm, confirmed=False)
    client.post(SECURITY, {"action": "confirm", "code": code_for(device)})
    assert client.get("/").status_code == 200


def test_enforced_users_cannot_turn_two_factor_off(bank, client):
    device, _codes = enrol(bank.rm)
    _require(bank, client)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    client.post(CODE, {"code": code_for(device, 1)})
    assert (
        client.post(SECURITY, {"action": "disable", "code": code_for(device, 2)}).status_code == 403
    )
    assert twofactor.has_two_factor(bank.rm)


def test_enforcement_of_one_bank_leaves_the_other_alone(bank, other_bank, client):
    _require(bank, client)
    client.post(LOGIN, {"username": other_bank.rm.username, "password": PASSWORD})
    assert client.get("/").status_code == 200


# --- the API token endpoint ----------------------------------------------------------


def _token(user, **extra):
    return APIClient().post(
        TOKEN, {"username": user.username, "password": PASSWORD, **extra}, format="json"
    )


def test_api_token_needs_otp_once_enrolled(bank, no_backoff):
    device, _codes = enrol(bank.rm)
    missing = _token(bank.rm)
    assert missing.status_code == 400 and "otp" in missing.json()
    wrong = _token(bank.rm, otp="000000")
    assert wrong.status_code == 400 and "otp" in wrong.json()
    good = _token(bank.rm, otp=code_for(device, 1))
    assert good.status_code == 200 and good.json()["token"]


def test_api_wrong_otp_counts_towards_the_lockout(bank):
    device, _codes = enrol(bank.rm)
    codes = [_token(bank.rm, otp="000000").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert codes[-1] == 429
    assert _token(bank.rm, otp=code_for(device, 1)).status_code == 429
    assert "auth.otp_failed" in actions(bank)


def test_api_token_refused_when_tenant_requires_two_factor_and_user_has_none(bank, client):
    _require(bank, client)
    assert _token(bank.rm).status_code == 403
    assert _token(bank.other_rm).status_code == 403
