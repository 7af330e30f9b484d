"""Walks every URL pattern of the project.

- anonymous: a page redirects to the login page, an API endpoint answers 401;
- another tenant: every URL with an object id, requested by tenant A's staff
  with the id of tenant B's object, answers 404 (never 403, never 200).

Parametrised URLs are covered through ``TARGETS`` dictionaries in
``tests/<app>/isolation_targets*.py`` (see README.md beside this file); an
uncovered one fails the walk, so a new endpoint cannot skip this test.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

import tests

# Reachable without a login, on purpose.
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "favicon",  # redirects to the static icon
    "api-token",
}
PUBLIC_PREFIXES = ("platform-admin/",)  # Django's own admin: redirects to its login page
PUBLIC_PATTERNS = (
    r"^s/",  # the public survey page (loyalty), token-protected by itself
    r"^e/",  # the public RSVP page of an event invitation (loyalty), token-protected
    r"^calendar/",  # an RM's iCalendar feed (communications): the token is the credential; wrong token → 404
)


def _walk(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield prefix + str(entry.pattern), name, entry


def _all_patterns():
    seen = set()
    out = []
    for route, name, entry in _walk(get_resolver().url_patterns):
        if "<format>" in route or "drf_format_suffix" in route:
            continue  # DRF format-suffix duplicates of routes walked anyway
        key = (route, name)
        if key in seen:
            continue
        seen.add(key)
        out.append((route, name, entry))
    return out


def _targets() -> dict:
    targets: dict = {}
    for mod in pkgutil.walk_packages(tests.__path__, "tests."):
        if re.search(r"\.isolation_targets\w*$", mod.name):
            targets.update(importlib.import_module(mod.name).TARGETS)
    return targets


def _params(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


def _is_public(route: str, name: str | None) -> bool:
    return (
        (name in PUBLIC)
        or route.startswith(PUBLIC_PREFIXES)
        or any(re.search(p, route) for p in PUBLIC_PATTERNS)
        or route.startswith("static/")
    )


def _fill(route: str, kwargs: dict) -> str:
    def sub(match):
        return str(kwargs[match.group(1)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", sub, route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", sub, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _placeholder_path(route: str) -> str:
    return _fill(route, dict.fromkeys(_params(route), 999999))


ALL = _all_patterns()
PRIVATE = [(r, n) for r, n, _ in ALL if not _is_public(r, n)]


def test_the_walk_sees_the_urls_that_matter():
    names = {n for _, n in PRIVATE}
    assert {"home", "tenancy:staff", "api-me", "branch-list", "user-detail"} <= names


@pytest.mark.parametrize("route,name", PRIVATE, ids=[r or "/" for r, _ in PRIVATE])
def test_anonymous_is_sent_to_login_or_401(client, db, route, name):
    path = _placeholder_path(route)
    answered = 0
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if response.status_code == 405:
            continue  # the route has no such method; says nothing about any object
        answered += 1
        if path.startswith("/api/"):
            assert response.status_code == 401, f"{method.upper()} {path}: {response.status_code}"
        else:
            assert response.status_code == 302, f"{method.upper()} {path}: {response.status_code}"
            assert response["Location"].startswith("/accounts/login/"), response["Location"]
    assert answered, f"{path}: neither GET nor POST reached the login check"


PARAMETRISED = [(r, n) for r, n in PRIVATE if _params(r)]


def test_every_parametrised_url_has_an_isolation_target():
    targets = _targets()
    missing = sorted(f"{n or '?'} ({r})" for r, n in PARAMETRISED if n not in targets)
    assert missing == [], "add these to tests/<app>/isolation_targets.py: " + ", ".join(missing)


@pytest.mark.parametrize("route,name", PARAMETRISED, ids=[n or r for r, n in PARAMETRISED])
def test_another_tenants_object_ids_are_404(route, name, bank, other_bank, client):
    targets = _targets()
    if name not in targets:
        pytest.fail(f"no isolation target for {name}")
    with other_bank.scope():
        kwargs = targets[name](other_bank)
    path = _fill(route, kwargs)
    missing = _fill(route, dict.fromkeys(kwargs, 987654321))

    def codes_for(user, p):
        if p.startswith("/api/"):
            api = APIClient()
            api.force_authenticate(user)
            return {
                api.get(p).status_code,
                api.post(p, {}, format="json").status_code,
                api.patch(p, {}, format="json").status_code,
                api.delete(p).status_code,
            }
        client.force_login(user)
        return {client.get(p).status_code, client.post(p, {}).status_code}

    for user in bank.users().values():
        codes = codes_for(user, path)
        # 405: no such method on the route; 403: the role may not use this URL at all,
        # which must then be the same answer as for an id that exists nowhere.
        assert codes <= {403, 404, 405}, f"{user.role} {path}: {codes}"
        assert codes == codes_for(user, missing), (
            f"{user.role} {path}: answer differs from a missing id"
        )
    assert 404 in codes_for(bank.admin, path), f"admin {path} should be 404"
