"""A bounded schemathesis run over every operation of /api/schema/, as a tenant admin
and as an RM, through the WSGI app (no network): no input may answer 5xx, and every
documented answer matches the schema.

``FUZZ_EXAMPLES`` (default 5) sets the generated cases per operation, role and mode
(valid and invalid data); the run stays within about two minutes on two cores.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from tests.factories import PASSWORD, ClientFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# the suite runs the same cases every time; FUZZ_RANDOM=1 explores new ones
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
ROLES = ("admin", "rm")


@pytest.fixture
def wsgi_app():
    """The WSGI app on the test's own connection: like Django's test client, keep the
    request signals from closing the connection that holds the test transaction."""
    handler = get_wsgi_application()

    def app(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return app


def _token(user) -> str:
    answer = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


def _load_schema(app, token: str):
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        app,
        headers={"Authorization": f"Token {token}"},
    )
    return schema


# Logging out revokes the token the run authenticates with (every later case
# would be a 401): these two are tested in tests/tenancy/test_auth_tokens.py.
REVOKES_CALLER = {"/api/v1/auth/logout/", "/api/v1/auth/logout-all/"}


def _describe(exc) -> str:
    parts = getattr(exc, "exceptions", None) or [exc]
    return "; ".join(f"{type(e).__name__}: {e}" for e in parts)


def _run(operation, headers: dict, mode: GenerationMode, stats: Counter, failures: list):
    strategy = operation.as_strategy(generation_mode=mode)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        stats["cases"] += 1
        try:
            response = case.call(headers=headers)
            stats[f"{response.status_code // 100}xx"] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # every failure is collected
            failures.append(f"{operation.label} [{mode.value}]: {_describe(exc)}"[:3000])

    try:
        run()
    except Unsatisfiable:
        # nothing to make invalid (e.g. a GET without parameters): the positive run covers it
        stats["no_negative"] += 1


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("role", ROLES)
def test_fuzz_every_operation_without_server_errors_or_schema_violations(
    bank, role, wsgi_app, capsys
):
    user = getattr(bank, role)
    with bank.scope():
        # something to find: a client the RM manages, one outside their book
        ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
        ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch)
    token = _token(user)
    schema = _load_schema(wsgi_app, token)
    headers = {"Authorization": f"Token {token}"}
    stats: Counter = Counter()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in REVOKES_CALLER:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, headers, mode, stats, failures)
    with capsys.disabled():
        print(
            f"\nfuzz {role}: {operations} operations, {stats['cases']} cases, "
            f"{len(failures)} failures; answers "
            + ", ".join(f"{k}: {stats[k]}" for k in ("2xx", "3xx", "4xx", "5xx") if stats[k])
        )
    assert operations >= 50
    assert stats["2xx"] >= operations // 2, "the run must get past authentication"
    assert not failures, "\n\n".join(failures[:30])
