"""API tokens (issue 8 finding 6): hashed at rest, expiring, one per login,
log out / log out everywhere, listing without secrets, all audited."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from tenancy import services, tokens
from tenancy.models import ApiToken, AuditEvent

from ..factories import PASSWORD

TOKEN = "/api/v1/auth/token/"


def _login(user, **extra):
    response = APIClient().post(
        TOKEN, {"username": user.username, "password": PASSWORD, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _api(key):
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def _actions(bank):
    with bank.scope():
        return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_token_is_stored_only_as_a_digest(bank):
    key = _login(bank.rm)
    row = ApiToken.objects.get(user=bank.rm)
    assert key not in (row.digest, row.token_key)
    assert len(key) > len(row.token_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenancy_apitoken")
        stored = " ".join(str(v) for r in cursor.fetchall() for v in r)
    assert key not in stored


def test_plain_text_token_table_is_gone(db):
    assert "authtoken_token" not in connection.introspection.table_names()
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS


def test_each_login_makes_a_new_token_and_the_old_one_still_works(bank):
    first, second = _login(bank.rm), _login(bank.rm)
    assert first != second
    assert _api(first).get("/api/v1/me/").status_code == 200
    assert _api(second).get("/api/v1/me/").status_code == 200


def test_token_expires_after_the_configured_ttl(bank):
    key = _login(bank.rm)
    row = ApiToken.objects.get(user=bank.rm)
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert ttl == timedelta(hours=10)
    assert abs((row.expiry - row.created) - ttl) < timedelta(seconds=5)
    ApiToken.objects.filter(pk=row.pk).update(expiry=row.created - timedelta(seconds=1))
    assert _api(key).get("/api/v1/me/").status_code == 401


def test_use_does_not_extend_the_expiry(bank):
    key = _login(bank.rm)
    before = ApiToken.objects.get(user=bank.rm).expiry
    _api(key).get("/api/v1/me/")
    assert ApiToken.objects.get(user=bank.rm).expiry == before


def test_logout_revokes_only_this_token(bank):
    first, second = _login(bank.rm), _login(bank.rm)
    assert _api(first).post("/api/v1/auth/logout/").status_code == 204
    assert _api(first).get("/api/v1/me/").status_code == 401
    assert _api(second).get("/api/v1/me/").status_code == 200
    assert "auth.token_revoked" in _actions(bank)


def test_logout_everywhere_revokes_every_token_of_the_user_only(bank):
    first, second = _login(bank.rm), _login(bank.rm)
    colleague = _login(bank.other_rm)
    assert _api(first).post("/api/v1/auth/logout-all/").status_code == 204
    assert _api(first).get("/api/v1/me/").status_code == 401
    assert _api(second).get("/api/v1/me/").status_code == 401
    assert _api(colleague).get("/api/v1/me/").status_code == 200
    assert "auth.tokens_revoked_all" in _actions(bank)


def test_token_list_shows_own_active_tokens_without_secrets(bank):
    first = _login(bank.rm)
    _login(bank.rm)
    _login(bank.other_rm)
    expired = ApiToken.objects.filter(user=bank.rm).order_by("created").last()
    body = _api(first).get("/api/v1/auth/tokens/").json()
    assert len(body) == 2
    assert [t["current"] for t in body].count(True) == 1
    assert set(body[0]) == {"id", "created", "expiry", "device", "current"}
    assert first not in str(body)
    ApiToken.objects.filter(pk=expired.pk).update(expiry=expired.created)
    assert len(_api(first).get("/api/v1/auth/tokens/").json()) == 1


def test_token_issue_is_audited(bank):
    _login(bank.rm)
    assert _actions(bank) == ["auth.token_created"]


def test_garbage_and_non_ascii_tokens_are_401_not_500(bank):
    assert _api("nope").get("/api/v1/me/").status_code == 401
    api = APIClient(HTTP_AUTHORIZATION="Token \xe9\xe9\xe9")
    assert api.get("/api/v1/me/").status_code == 401


def test_deactivating_a_staff_member_revokes_their_tokens(bank):
    key = _login(bank.rm)
    with bank.scope():
        services.staff_update(actor=bank.admin, staff=bank.rm, is_active=False)
    assert not ApiToken.objects.filter(user=bank.rm).exists()
    assert _api(key).get("/api/v1/me/").status_code == 401
    assert "auth.tokens_revoked_all" in _actions(bank)


def test_admin_revokes_a_staff_members_tokens_from_the_staff_page(bank, client):
    key = _login(bank.rm)
    client.force_login(bank.admin)
    response = client.post(f"/manage/staff/{bank.rm.pk}/revoke-tokens/")
    assert response.status_code == 302
    assert _api(key).get("/api/v1/me/").status_code == 401


def test_admin_cannot_revoke_another_banks_staff_tokens(bank, other_bank, client):
    key = _login(other_bank.rm)
    client.force_login(bank.admin)
    assert client.post(f"/manage/staff/{other_bank.rm.pk}/revoke-tokens/").status_code == 404
    assert _api(key).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("role", ["rm", "branch_head", "compliance"])
def test_only_admins_revoke_staff_tokens(bank, client, role):
    client.force_login(getattr(bank, role))
    assert client.post(f"/manage/staff/{bank.other_rm.pk}/revoke-tokens/").status_code == 403


def test_staff_may_revoke_all_their_tokens_from_the_security_page(bank, client):
    key = _login(bank.rm)
    client.force_login(bank.rm)
    page = client.get("/account/security/")
    assert page.status_code == 200
    assert key not in page.content.decode()
    client.post("/account/security/", {"action": "logout_all"})
    assert _api(key).get("/api/v1/me/").status_code == 401


def test_revoke_service_counts(bank):
    _login(bank.rm)
    _login(bank.rm)
    assert tokens.api_token_revoke_all(user=bank.rm) == 2


def test_a_login_beyond_the_cap_revokes_the_oldest_token(bank, settings):
    settings.API_TOKEN_MAX_PER_USER = 2
    oldest, middle, newest = _login(bank.rm), _login(bank.rm), _login(bank.rm)
    assert _api(oldest).get("/api/v1/me/").status_code == 401
    assert _api(middle).get("/api/v1/me/").status_code == 200
    assert _api(newest).get("/api/v1/me/").status_code == 200
