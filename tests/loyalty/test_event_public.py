"""The public RSVP page /e/<token>/: no login, CSRF, 410 after the start,
404 for unknown or forged tokens (and survey tokens), nothing beyond the
client's own invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone

from loyalty.surveys.links import invitation_token

from .event_helpers import invite, make_client, make_event, move_start, status_of, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    from django.core.cache import cache

    cache.clear()


def _invited(bank, capacity=5, **client_kw):
    event = make_event(bank, capacity=capacity, title="Green finance", title_zh="绿色金融讲座")
    client_kw.setdefault("name", "王小明")
    (inv,) = invite(bank, event, make_client(bank, **client_kw))
    return event, inv


def test_the_page_opens_without_a_login_and_shows_only_its_own_invitation(bank, client):
    event, inv = _invited(bank, language="zh-hans")
    other = make_client(bank, name="李四")
    invite(bank, event, other)
    page = client.get(f"/e/{token_of(inv)}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "绿色金融讲座" in html and bank.tenant.name in html and "csrfmiddlewaretoken" in html
    assert 'name="viewport"' in html
    assert "王小明" not in html and "李四" not in html and "client@example.com" not in html
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"


def test_yes_is_accepted_and_a_yes_beyond_capacity_is_waitlisted(bank, client):
    event, first = _invited(bank, capacity=1)
    (second,) = invite(bank, event, make_client(bank))
    r = client.post(f"/e/{token_of(first)}/", {"answer": "yes"})
    assert r.status_code == 200 and 'data-testid="rsvp-outcome"' in r.content.decode()
    assert status_of(bank, first) == "accepted"
    assert client.post(f"/e/{token_of(second)}/", {"answer": "yes"}).status_code == 200
    assert status_of(bank, second) == "waitlisted"
    client.post(f"/e/{token_of(first)}/", {"answer": "no"})
    assert status_of(bank, second) == "accepted"


def test_after_the_start_get_and_post_are_410_and_nothing_is_recorded(bank, client):
    event, inv = _invited(bank)
    move_start(bank, event, timezone.now() - timedelta(seconds=1))
    url = f"/e/{token_of(inv)}/"
    assert client.get(url).status_code == 410
    assert client.post(url, {"answer": "yes"}).status_code == 410
    assert status_of(bank, inv) == "invited"


def test_unknown_forged_and_survey_tokens_are_404(bank, client):
    _event, inv = _invited(bank)
    token = token_of(inv)
    forged = token[:-1] + ("y" if token.endswith("x") else "x")  # never the token itself
    assert client.get(f"/e/{forged}/").status_code == 404
    assert client.get("/e/nothing/").status_code == 404
    survey_style = invitation_token(tenant_id=inv.tenant_id, invitation_id=inv.pk)
    assert client.get(f"/e/{survey_style}/").status_code == 404
    from loyalty.events.links import rsvp_token

    missing = rsvp_token(tenant_id=inv.tenant_id, invitation_id=inv.pk + 999)
    assert client.get(f"/e/{missing}/").status_code == 404


def test_another_banks_token_never_opens_this_banks_invitation(bank, other_bank, client):
    _event, inv = _invited(bank)
    from loyalty.events.links import rsvp_token

    crossed = rsvp_token(tenant_id=other_bank.tenant.pk, invitation_id=inv.pk)
    assert client.get(f"/e/{crossed}/").status_code == 404


def test_post_needs_the_csrf_token(bank):
    _event, inv = _invited(bank)
    strict = BrowserClient(enforce_csrf_checks=True)
    url = f"/e/{token_of(inv)}/"
    assert strict.post(url, {"answer": "yes"}).status_code == 403
    assert status_of(bank, inv) == "invited"
    strict.get(url)
    csrf = strict.cookies["csrftoken"].value
    assert strict.post(url, {"answer": "yes", "csrfmiddlewaretoken": csrf}).status_code == 200
    assert status_of(bank, inv) == "accepted"


def test_a_bad_answer_is_400(bank, client):
    _event, inv = _invited(bank)
    assert client.post(f"/e/{token_of(inv)}/", {"answer": "perhaps"}).status_code == 400
    assert status_of(bank, inv) == "invited"
