"""The tenant in scope, and the PostgreSQL setting that row-level security reads.

One mechanism for every entry point: browser requests (TenantMiddleware), API
token requests (ScopedAPIView.initial), management commands and Celery tasks
(``tenant_scope`` / ``@tenant_task``). The setting is transaction-local
(``SET LOCAL app.tenant_id = '<id>'``, a quoted literal Citus forwards to its
workers), so a pooled connection cannot carry one bank's id into the next
request.

There is no "all tenants" switch: a setting the application role could flip
would open every bank to any session of it. Code that crosses tenants reads
tenant ids from the tenant table (no row-level security) and runs each tenant
in its own ``tenant_scope``; migrations run as the owner role.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connections, transaction

_current_tenant_id: ContextVar[int | None] = ContextVar("steward_tenant_id", default=None)
# Memo for lookups repeated within one scope (one request, task or block),
# e.g. the ids shared with the user that the access policy needs on each call.
_scope_memo: ContextVar[dict | None] = ContextVar("steward_scope_memo", default=None)

TENANT_SETTING = "app.tenant_id"

F = TypeVar("F", bound=Callable[..., Any])


class TenantScopeError(RuntimeError):
    """Tenant-owned data was touched with no tenant in scope."""


def current_tenant_id() -> int | None:
    return _current_tenant_id.get()


def scope_memo() -> dict:
    """A dict living as long as the current scope (empty, throwaway, outside one)."""
    memo = _scope_memo.get()
    return memo if memo is not None else {}


def require_tenant_id() -> int:
    tenant_id = _current_tenant_id.get()
    if tenant_id is None:
        raise TenantScopeError(
            "No tenant in scope: wrap the code in tenancy.context.tenant_scope(...) "
            "or use the explicit `all_tenants` manager in platform code."
        )
    return tenant_id


def _is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def _db_set_tenant(value: str, using: str) -> None:
    """``SET LOCAL`` takes no bind parameters: the value is an int rendered by us
    (or empty, to clear), never caller text, so the literal cannot be injected."""
    if value != "":
        value = str(int(value))
    if _is_postgres(using):
        with connections[using].cursor() as cursor:
            cursor.execute(f"SET LOCAL {TENANT_SETTING} = '{value}'")


def _db_get(name: str, using: str) -> str:
    if not _is_postgres(using):
        return ""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [name])
        return cursor.fetchone()[0] or ""


def activate_in_transaction(tenant_id: int, using: str = "default") -> None:
    """Set the tenant for the rest of the current transaction (and this context).

    Used by the API base view after token authentication, inside the request's
    transaction that TenantMiddleware opened; the middleware resets the
    context variable when the request ends and the setting dies with the
    transaction.
    """
    if not connections[using].in_atomic_block:
        raise TenantScopeError("activate_in_transaction() needs an open transaction.")
    _current_tenant_id.set(int(tenant_id))
    _db_set_tenant(str(int(tenant_id)), using)


@contextmanager
def tenant_scope(tenant: Any, using: str = "default") -> Iterator[int]:
    """Run the block as ``tenant`` (a Tenant or its id), in one transaction."""
    tenant_id = int(getattr(tenant, "pk", tenant))
    token = _current_tenant_id.set(tenant_id)
    # Outermost transaction: the setting dies with it. Nested: restore the
    # outer value on the way out.
    nested = connections[using].in_atomic_block
    memo_token = _scope_memo.set({})
    try:
        with transaction.atomic(using=using):
            previous = _db_get(TENANT_SETTING, using) if nested else ""
            _db_set_tenant(str(tenant_id), using)
            yield tenant_id
            if nested:
                _db_set_tenant(previous, using)
    finally:
        _scope_memo.reset(memo_token)
        _current_tenant_id.reset(token)


@contextmanager
def request_scope(using: str = "default") -> Iterator[None]:
    """One transaction for a request whose tenant is not known yet."""
    token = _current_tenant_id.set(None)
    memo_token = _scope_memo.set({})
    try:
        with transaction.atomic(using=using):
            yield
    finally:
        _scope_memo.reset(memo_token)
        _current_tenant_id.reset(token)


def tenant_task(func: F) -> F:
    """Celery task body decorator: runs the task inside its ``tenant_id`` kwarg's scope."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        tenant_id = kwargs.get("tenant_id")
        if tenant_id is None:
            raise TenantScopeError(f"{func.__name__} needs a tenant_id keyword argument.")
        with tenant_scope(tenant_id):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
