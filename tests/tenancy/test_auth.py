import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from tenancy.models import AuditEvent

from ..factories import PASSWORD

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def _fail_browser(client, username, times):
    return [
        client.post(LOGIN, {"username": username, "password": "wrong-password"}).status_code
        for _ in range(times)
    ]


def test_browser_login_works_and_lands_on_my_day(client, bank):
    response = client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_browser_login_locks_after_repeated_failures(client, bank):
    codes = _fail_browser(client, bank.rm.username, settings.AXES_FAILURE_LIMIT)
    assert codes[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert codes[-1] == 429
    locked = client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower() or "锁定" in locked.content.decode()


def test_lockout_of_one_account_leaves_others_able_to_log_in(client, bank):
    _fail_browser(client, bank.rm.username, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": bank.other_rm.username, "password": PASSWORD})
    assert response.status_code == 302


def test_api_token_is_issued_for_good_credentials(bank):
    response = APIClient().post(
        TOKEN, {"username": bank.rm.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == bank.rm.username


def test_api_token_endpoint_locks_after_repeated_failures(bank):
    api = APIClient()
    codes = [
        api.post(
            TOKEN, {"username": bank.rm.username, "password": "nope-nope"}, format="json"
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert codes[-1] == 429
    locked = api.post(TOKEN, {"username": bank.rm.username, "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"] or "锁定" in locked.json()["detail"]
    other = api.post(
        TOKEN, {"username": bank.other_rm.username, "password": PASSWORD}, format="json"
    )
    assert other.status_code == 200


def test_failures_on_the_api_count_towards_the_browser_lockout(client, bank):
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api.post(TOKEN, {"username": bank.rm.username, "password": "nope-nope"}, format="json")
    assert _fail_browser(client, bank.rm.username, 1) == [429]


def test_bad_token_request_names_the_missing_field(db):
    response = APIClient().post(TOKEN, {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_login_rotates_the_session_key(client, bank):
    client.get(LOGIN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert client.session.session_key != before


def test_sessions_expire_after_idle_time(client, bank):
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    assert 0 < client.session.get_expiry_age() <= 30 * 60


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_the_idle_timeout_moves_at_most_once_a_minute(client, bank):
    """SessionIdleMiddleware: a page within a minute of the last save writes
    nothing (no UPDATE of the session row per request); a page after it moves
    the expiry to 30 minutes from now; a session past its expiry is signed out."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    client.get("/")
    first = _expiry(client)
    client.get("/")
    assert _expiry(client) == first  # within the minute: not saved again
    session = client.session
    session["_touched"] = int(timezone.now().timestamp()) - 61
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    client.get("/")
    moved = _expiry(client)
    assert timedelta(minutes=29) < moved - timezone.now() <= timedelta(minutes=30)
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get("/").status_code == 302  # idle too long: to the login page


def test_logins_and_failed_logins_are_audited(client, bank):
    _fail_browser(client, bank.rm.username, 1)
    client.post(LOGIN, {"username": bank.rm.username, "password": PASSWORD})
    with bank.scope():
        actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["auth.login_failed", "auth.login"]


@pytest.mark.parametrize("path", ["/", "/manage/", "/api/v1/me/"])
def test_platform_superuser_has_no_tenant_pages(client, django_user_model, path):
    su = django_user_model.objects.create_superuser("platform", "p@example.com", PASSWORD)
    client.force_login(su)
    assert client.get(path).status_code in (403, 404)
