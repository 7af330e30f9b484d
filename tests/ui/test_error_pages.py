"""403 / 404 / 500 pages in the layout, translated, with a way back; the API
docs send a browser to the login page; the favicon answers."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tenancy import views as tenancy_views

pytestmark = pytest.mark.django_db


def test_404_is_in_the_layout_translated_with_a_way_home(bank, web_for):
    r = web_for(bank.rm).get("/no-such-page/", HTTP_REFERER="http://testserver/clients/")
    assert r.status_code == 404
    html = r.content.decode()
    assert 'class="topbar"' in html and 'data-nav="home"' in html  # the layout, with navigation
    assert "页面不存在" in html and "Page not found" not in html
    assert 'href="/"' in html and 'data-testid="error-home"' in html
    assert 'href="http://testserver/clients/"' in html  # back to where the user came from


def test_404_for_an_invisible_client_is_the_same_page(bank, web_for):
    from tests.factories import ClientFactory

    stranger = ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch)
    r = web_for(bank.rm).get(reverse("clients:detail", args=[stranger.pk]))
    assert r.status_code == 404 and "页面不存在" in r.content.decode()


def test_a_foreign_referer_is_not_offered_as_the_way_back(bank, web_for):
    r = web_for(bank.rm).get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in r.content.decode()


def test_404_for_an_anonymous_visitor_offers_the_login_page(client):
    r = client.get("/no-such-page/")
    assert r.status_code == 404 and 'href="/accounts/login/"' in r.content.decode()


def test_403_is_in_the_layout_translated(bank, web_for):
    r = web_for(bank.rm).get(reverse("tenancy:audit"))
    assert r.status_code == 403
    html = r.content.decode()
    assert 'class="topbar"' in html and "您无权打开此页面" in html


def test_english_error_page_for_a_staff_member_who_chose_english(bank, web_for):
    web = web_for(bank.rm)
    web.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = web.get("/no-such-page/").content.decode()
    assert "Page not found" in html and "Go to My day" in html


def test_api_errors_stay_json(bank, api_for):
    r = api_for(bank.rm).get("/api/v1/no-such-endpoint/")
    assert r.status_code == 404 and r["Content-Type"] == "application/json"


def test_500_page_needs_no_database_and_no_user(django_assert_num_queries):
    request = RequestFactory().get("/clients/")  # no session, no user attribute
    with django_assert_num_queries(0):
        r = tenancy_views.error_500(request)
    assert r.status_code == 500
    html = r.content.decode()
    assert 'class="topbar"' in html and "error-page" in html and 'href="/"' in html


def test_an_unhandled_error_renders_the_500_page(bank, client, monkeypatch):
    def boom(request):
        raise RuntimeError("boom")

    monkeypatch.setattr("tenancy.views.my_day_sections", boom)
    client.raise_request_exception = False
    client.force_login(bank.rm)
    r = client.get("/")
    assert r.status_code == 500 and "系统出错了" in r.content.decode()


def test_api_docs_send_a_browser_to_the_login_page(client):
    for url in ("/api/docs/", "/api/schema/"):
        r = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next="), url


def test_api_docs_still_answer_401_to_an_api_client(client):
    assert client.get("/api/schema/", HTTP_ACCEPT="application/json").status_code == 401
    for url in ("/api/docs/", "/api/schema/"):
        assert client.get(url, HTTP_ACCEPT="*/*").status_code == 401, url  # curl's default
    # a token request is an API client even when it asks for HTML
    r = client.get("/api/docs/", HTTP_ACCEPT="text/html", HTTP_AUTHORIZATION="Token wrong")
    assert r.status_code == 401


def test_api_docs_open_for_a_logged_in_browser(bank, web_for):
    r = web_for(bank.rm).get("/api/docs/", HTTP_ACCEPT="text/html")
    assert r.status_code == 200


def test_favicon_is_linked_and_answers(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("favicon.svg")
    login = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in login and "favicon.svg" in login
