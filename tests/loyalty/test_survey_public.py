"""The public survey page /s/<token>/: no login, single use, expiry, 404
for unknown tokens, CSRF, rate limit, nothing beyond its own invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone

from loyalty.models import ServiceRecovery, SurveyResponse
from tenancy.context import tenant_scope

from .survey_helpers import invite, make_client, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    from django.core.cache import cache

    cache.clear()


def _responses(bank):
    with tenant_scope(bank.tenant):
        return list(SurveyResponse.objects.values_list("score", "comment"))


def test_the_form_opens_without_a_login_in_the_clients_language(bank, client):
    c = make_client(bank, name="王小明", language="zh-hans")
    inv = invite(bank, c)
    page = client.get(f"/s/{token_of(inv)}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "您有多大可能向朋友或同事推荐我行" in html
    assert 'name="viewport"' in html and "csrfmiddlewaretoken" in html
    # nothing about the client or anything else of the bank
    assert "王小明" not in html and "client@example.com" not in html


def test_an_english_speaking_client_reads_english(bank, client):
    inv = invite(bank, make_client(bank, language="en"))
    html = client.get(f"/s/{token_of(inv)}/").content.decode()
    assert "How likely are you to recommend" in html


def test_an_answer_is_recorded_once_and_the_link_is_then_gone(bank, client):
    inv = invite(bank, make_client(bank))
    url = f"/s/{token_of(inv)}/"
    assert client.post(url, {"score": "9", "comment": "Very good"}).status_code == 200
    assert _responses(bank) == [(9, "Very good")]
    assert client.post(url, {"score": "2", "comment": "again"}).status_code == 410
    assert client.get(url).status_code == 410
    assert _responses(bank) == [(9, "Very good")]


def test_an_expired_link_is_410_for_get_and_post_and_records_nothing(bank, client):
    inv = invite(bank, make_client(bank), now=timezone.now() - timedelta(days=15))
    url = f"/s/{token_of(inv)}/"
    assert client.get(url).status_code == 410
    assert client.post(url, {"score": "3"}).status_code == 410
    assert _responses(bank) == []


def test_unknown_and_forged_tokens_are_404(bank, client):
    inv = invite(bank, make_client(bank))
    token = token_of(inv)
    tenant36, inv36, mac = token.split(".")
    assert client.get("/s/nonsense/").status_code == 404
    assert client.get(f"/s/{tenant36}.{inv36}.{'0' * len(mac)}/").status_code == 404
    # a genuine mac for an invitation that does not exist
    from loyalty.surveys.links import invitation_token

    missing = invitation_token(tenant_id=bank.tenant.pk, invitation_id=inv.pk + 1000)
    assert client.get(f"/s/{missing}/").status_code == 404


def test_another_tenants_id_under_this_token_is_404(bank, other_bank, client):
    """A token names its tenant; swapping the tenant part breaks the mac."""
    inv = invite(bank, make_client(bank))
    _t, inv36, mac = token_of(inv).split(".")
    from loyalty.surveys.links import _b36

    assert client.get(f"/s/{_b36(other_bank.tenant.pk)}.{inv36}.{mac}/").status_code == 404


def test_posting_without_the_csrf_token_is_refused(bank):
    inv = invite(bank, make_client(bank))
    browser = BrowserClient(enforce_csrf_checks=True)
    url = f"/s/{token_of(inv)}/"
    assert browser.post(url, {"score": "9"}).status_code == 403
    assert _responses(bank) == []
    page = browser.get(url)
    token = page.context["csrf_token"]
    assert browser.post(url, {"score": "9", "csrfmiddlewaretoken": str(token)}).status_code == 200


def test_a_score_out_of_range_is_400_and_records_nothing(bank, client):
    inv = invite(bank, make_client(bank))
    url = f"/s/{token_of(inv)}/"
    assert client.post(url, {"score": "11"}).status_code == 400
    assert client.post(url, {"score": "x"}).status_code == 400
    assert _responses(bank) == []
    assert client.get(url).status_code == 200  # still open


def test_too_many_requests_from_one_address_answer_429(bank, client, settings):
    settings.LOYALTY_PUBLIC_RATE_LIMIT = 3
    inv = invite(bank, make_client(bank))
    url = f"/s/{token_of(inv)}/"
    codes = [client.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/s/guessing/").status_code == 429  # guessing tokens is limited too


def test_a_detractor_answer_on_the_page_opens_the_recovery(bank, client):
    c = make_client(bank)
    inv = invite(bank, c)
    client.post(f"/s/{token_of(inv)}/", {"score": "2", "comment": "slow"})
    with tenant_scope(bank.tenant):
        assert list(ServiceRecovery.objects.values_list("client_id", "manager_id")) == [
            (c.pk, bank.rm.pk)
        ]
