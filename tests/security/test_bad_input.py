"""Issue 8, finding 7: inputs that crashed the server answer 400 naming what is wrong."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tenancy.parsers import nesting_depth_exceeds

DEEP = "[" * 50_000 + "]" * 50_000


def _post_raw(api: APIClient, url: str, body: str):
    return api.generic("POST", url, body, content_type="application/json")


def test_deep_json_on_the_token_endpoint_is_400_without_a_login(db):
    response = APIClient().generic(
        "POST",
        "/api/v1/auth/token/",
        DEEP,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_deep_json_inside_an_object_on_any_endpoint_is_400(bank, api_for, client_of):
    body = f'{{"client": {client_of.pk}, "kind": "call", "subject": "x", "summary": {DEEP}}}'
    response = _post_raw(api_for(bank.rm), "/api/v1/interactions/", body)
    assert response.status_code == 400


def test_json_nested_within_the_limit_is_parsed(bank, api_for):
    # 32 levels are accepted: the body reaches the serializer (a 400 for the data, not the parse)
    body = '{"name": "x", "parent": ' + "[" * 30 + "]" * 30 + "}"
    response = _post_raw(api_for(bank.admin), "/api/v1/branches/", body)
    assert response.status_code == 400
    assert "parent" in response.json()


def test_depth_scanner_ignores_brackets_inside_strings():
    assert not nesting_depth_exceeds('{"a": "' + "[" * 100 + '"}', 32)
    assert nesting_depth_exceeds("[" * 33 + "]" * 33, 32)
    assert not nesting_depth_exceeds('["\\"[[["]', 2)


@pytest.mark.parametrize("number", ["1e999999", "-1e999999", "NaN", "Infinity", "-Infinity"])
def test_non_finite_json_numbers_are_400(bank, api_for, number):
    body = '{"name": "Deposit", "code": "D1", "category": "deposit", "risk_level": 1, '
    body += f'"min_investment": {number}}}'
    response = _post_raw(api_for(bank.admin), "/api/v1/products/", body)
    assert response.status_code == 400


def test_a_huge_decimal_string_is_400_naming_the_field(bank, api_for):
    response = api_for(bank.admin).post(
        "/api/v1/products/",
        {"name": "Deposit", "code": "D1", "category": "deposit", "min_investment": "1e999999"},
        format="json",
    )
    assert response.status_code == 400
    assert "min_investment" in response.json()


def test_branch_without_parent_is_not_a_500(bank, api_for):
    response = api_for(bank.admin).post("/api/v1/branches/", {"name": "Top"}, format="json")
    assert response.status_code in (201, 400)
    if response.status_code == 400:
        assert "parent" in response.json()


def test_interaction_without_kind_is_400_naming_kind(bank, api_for, client_of):
    response = api_for(bank.rm).post(
        "/api/v1/interactions/", {"client": client_of.pk, "subject": "Lunch"}, format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/interactions/?since=2026-01-01T00:00:00%2B17:14", None),
        ("/api/v1/follow-ups/?due_before=2026-01-01T00:00:00%2B17:14", None),
        ("/api/v1/follow-ups/?due_before=9999-12-31T23:59:59-23:59", "due_before"),
        ("/api/v1/interactions/?since=0001-01-01T00:00:00%2B23:59", "since"),
    ],
)
def test_datetime_filters_with_any_offset_are_never_a_500(bank, api_for, url, name):
    response = api_for(bank.admin).get(url)
    if name is None:
        assert response.status_code == 200  # +17:14 is a valid ISO offset: converted to UTC
    else:
        assert response.status_code == 400
        assert name in response.json()


def test_datetime_filter_offset_is_applied(bank, api_for, client_of):
    from communications.services import interaction_log

    with bank.scope():
        interaction_log(author=bank.rm, client=client_of, kind="call", subject="a")
    api = api_for(bank.rm)
    assert api.get("/api/v1/interactions/?since=2000-01-01T00:00:00%2B17:14").json()["results"]
    assert not api.get("/api/v1/interactions/?since=2999-01-01T00:00:00%2B17:14").json()["results"]


@pytest.mark.parametrize(
    "query", ["date_to=9999-12-31", "date_from=9999-12-31", "date_to=10000-01-01"]
)
def test_transactions_date_filters_at_the_end_of_the_calendar_are_400(bank, api_for, query):
    response = api_for(bank.admin).get(f"/api/v1/transactions/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_transactions_date_to_on_the_last_allowed_day_is_fine(bank, api_for):
    response = api_for(bank.admin).get(
        "/api/v1/transactions/?date_to=9999-12-30&date_from=0001-01-01"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["1e999", "99999999999999999999999", "NaN", "-1"])
def test_id_filters_out_of_range_are_400_naming_the_filter(bank, api_for, value):
    response = api_for(bank.admin).get(f"/api/v1/clients/?branch={value}")
    assert response.status_code == 400
    assert "branch" in response.json()


def test_timeline_cursor_with_an_odd_offset_is_ignored(bank, web_for, client_of):
    url = f"/interactions/client/{client_of.pk}/timeline/?cursor=2026-01-01T00:00:00%2B17:14|x|99999999999999999999"
    response = web_for(bank.rm).get(url)
    assert response.status_code == 200


def test_an_overlong_username_on_the_token_endpoint_is_400(db):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "u" * 300, "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "username" in response.json()


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-10:00"]
)
def test_datetimes_the_database_cannot_hold_are_400_naming_the_field(
    bank, api_for, client_of, when
):
    api = api_for(bank.rm)
    response = api.post(
        "/api/v1/follow-ups/", {"client": client_of.pk, "due_at": when, "note": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "due_at" in response.json()
    assert api.get("/api/v1/follow-ups/").status_code == 200


def test_a_next_step_in_the_year_one_is_400(bank, api_for, client_of):
    response = api_for(bank.rm).post(
        "/api/v1/interactions/",
        {
            "client": client_of.pk,
            "kind": "call",
            "subject": "x",
            "follow_up": {"due_at": "0001-01-01T00:00:00", "note": "n"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "follow_up" in response.json()


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_the_log_and_follow_up_forms_refuse_times_the_database_cannot_hold(db, value):
    from django.core.exceptions import ValidationError

    from communications.forms import InteractionForm

    with pytest.raises(ValidationError):
        InteractionForm.base_fields["occurred_at"].clean(value)
    assert InteractionForm.base_fields["occurred_at"].clean("2026-01-01T10:00")


def test_json_deeper_than_the_limit_is_refused_by_the_parser_itself(db):
    # 40 levels parse fine in Python: the parser's own limit (32) refuses them
    body = '{"username": ' + "[" * 40 + "]" * 40 + ', "password": "x"}'
    response = APIClient().generic(
        "POST", "/api/v1/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json() and "username" not in response.json()


@pytest.mark.parametrize("raw", [b'{"a": 1e999}', b'{"a": -1e400}', b'{"a": NaN}', b"[Infinity]"])
def test_the_parser_refuses_numbers_that_are_not_finite(raw):
    import io

    from rest_framework.exceptions import ParseError

    from tenancy.parsers import SafeJSONParser

    with pytest.raises(ParseError):
        SafeJSONParser().parse(io.BytesIO(raw), "application/json", {})


def test_the_parser_refuses_a_body_over_the_limit(settings):
    import io

    from django.utils import translation
    from rest_framework.exceptions import ParseError

    from tenancy.parsers import SafeJSONParser

    settings.API_JSON_MAX_BYTES = 10
    with translation.override("en"), pytest.raises(ParseError) as caught:
        SafeJSONParser().parse(io.BytesIO(b'{"a": "0123456789"}'), "application/json", {})
    assert "too large" in str(caught.value.detail)


@pytest.mark.parametrize("pk", ["1", "99999999999999999999"])
def test_timeline_cursor_with_an_odd_offset_or_id_is_not_a_500(bank, web_for, client_of, pk):
    url = f"/interactions/client/{client_of.pk}/timeline/?cursor=2026-01-01T00:00:00%2B17:14|x|{pk}"
    assert web_for(bank.rm).get(url).status_code == 200


def _integer_query_filters(api) -> list[tuple[str, str]]:
    """Every (list path, numeric query parameter) the OpenAPI schema declares."""
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    found = []
    for path, item in schema["paths"].items():
        get = item.get("get")
        if "{" in path or not get:
            continue
        for param in get.get("parameters", []):
            numeric = param.get("schema", {}).get("type") in ("integer", "number")
            paging = param["name"] in ("page", "page_size", "limit", "offset")
            if param.get("in") == "query" and numeric and not paging:
                found.append((path, param["name"]))
    return found


@pytest.mark.parametrize("value", ["99999999999999999999999", "1e999"])
def test_every_integer_filter_of_every_list_is_bounded(bank, api_for, value):
    api = api_for(bank.admin)
    filters = _integer_query_filters(api)
    assert ("/api/v1/risk-assessments/", "client") in filters
    for path, name in filters:
        response = api.get(f"{path}?{name}={value}")
        assert response.status_code == 400, (path, name, response.status_code)
        assert name in response.json(), (path, name)
