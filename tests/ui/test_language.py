"""The tenant's default language applies to a staff member until they choose
one; the browser's Accept-Language does not decide. Pages and API alike."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tenancy.models import AuditEvent
from tenancy.tokens import api_token_create

pytestmark = pytest.mark.django_db

ZH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def english_bank(bank):
    bank.tenant.locale = "en"
    bank.tenant.save()
    return bank


def test_tenant_default_english_without_a_choice(english_bank, web_for):
    page = web_for(english_bank.rm).get("/", **ZH_BROWSER).content.decode()
    assert "<h1>My day</h1>" in page


def test_tenant_default_chinese_beats_an_english_browser_and_cookie(bank, client):
    client.force_login(bank.rm)
    client.cookies["django_language"] = "en"  # left by someone else on this browser
    assert "<h1>我的工作台</h1>" in client.get("/", **EN_BROWSER).content.decode()


def test_the_staff_members_choice_wins_and_is_stored(english_bank, client):
    client.force_login(english_bank.rm)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    english_bank.rm.refresh_from_db()
    assert english_bank.rm.language == "zh-hans"
    # another browser (no cookie), English Accept-Language: the stored choice still wins
    other = type(client)()
    other.force_login(english_bank.rm)
    assert "<h1>我的工作台</h1>" in other.get("/", **EN_BROWSER).content.decode()


def test_choosing_a_language_is_audited(bank, web_for):
    web_for(bank.rm).post(reverse("set_language"), {"language": "en", "next": "/"})
    with bank.scope():
        event = AuditEvent.objects.get(action="staff.language_chosen")
    assert event.actor_id == bank.rm.pk and event.data["language"]["to"] == "en"


def test_an_unknown_language_is_not_stored(bank, web_for):
    r = web_for(bank.rm).post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert r.status_code == 302
    bank.rm.refresh_from_db()
    assert bank.rm.language is None


def _token_client(user) -> APIClient:
    api = APIClient()
    _row, key = api_token_create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_token_request_answers_in_the_tenant_default(english_bank):
    r = _token_client(english_bank.rm).get("/api/v1/clients/999999/", **ZH_BROWSER)
    assert r.status_code == 404 and r.json()["detail"] == "Not found."
    assert r["Content-Language"] == "en"


def test_token_request_honours_the_staff_members_choice(english_bank):
    english_bank.rm.language = "zh-hans"
    english_bank.rm.save()
    r = _token_client(english_bank.rm).get("/api/v1/clients/999999/", **EN_BROWSER)
    assert r.status_code == 404 and r.json()["detail"] == "未找到。"
    assert r["Content-Language"] == "zh-hans"


def test_session_api_request_honours_the_choice(english_bank, client):
    english_bank.rm.language = "zh-hans"
    english_bank.rm.save()
    client.force_login(english_bank.rm)
    r = client.get("/api/v1/clients/999999/", **EN_BROWSER)
    assert r.json()["detail"] == "未找到。"


def test_the_login_page_follows_the_browser(db, client):
    page = client.get("/accounts/login/", **EN_BROWSER).content.decode()
    assert 'lang="en"' in page
