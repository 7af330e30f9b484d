"""The tenant in scope, and the PostgreSQL setting that row-level security reads.

One mechanism for every entry point: browser requests (TenantMiddleware), API
token requests (ScopedAPIView.initial), management commands and Celery tasks
(``tenant_scope`` / ``@tenant_task``). The setting is transaction-local
(``set_config(..., true)``), so a pooled connection cannot carry one bank's id
into the next request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connections, transaction

_current_tenant_id: ContextVar[int | None] = ContextVar("steward_tenant_id", default=None)

TENANT_SETTING = "app.tenant_id"
ALL_TENANTS_SETTING = "app.all_tenants"

F = TypeVar("F", bound=Callable[..., Any])


class TenantScopeError(RuntimeError):
    """Tenant-owned data was touched with no tenant in scope."""


def current_tenant_id() -> int | None:
    return _current_tenant_id.get()


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


def _db_set(name: str, value: str, using: str) -> None:
    if _is_postgres(using):
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


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
    _db_set(TENANT_SETTING, str(int(tenant_id)), using)


@contextmanager
def tenant_scope(tenant: Any, using: str = "default") -> Iterator[int]:
    """Run the block as ``tenant`` (a Tenant or its id), in one transaction."""
    tenant_id = int(getattr(tenant, "pk", tenant))
    token = _current_tenant_id.set(tenant_id)
    # Outermost transaction: the setting dies with it. Nested: restore the
    # outer value on the way out.
    nested = connections[using].in_atomic_block
    try:
        with transaction.atomic(using=using):
            previous = _db_get(TENANT_SETTING, using) if nested else ""
            _db_set(TENANT_SETTING, str(tenant_id), using)
            yield tenant_id
            if nested:
                _db_set(TENANT_SETTING, previous, using)
    finally:
        _current_tenant_id.reset(token)


@contextmanager
def request_scope(using: str = "default") -> Iterator[None]:
    """One transaction for a request whose tenant is not known yet."""
    token = _current_tenant_id.set(None)
    try:
        with transaction.atomic(using=using):
            yield
    finally:
        _current_tenant_id.reset(token)


@contextmanager
def platform_scope(using: str = "default") -> Iterator[None]:
    """Platform code that must see every tenant's rows (platform admin, audit
    verification). Python code must still name the `all_tenants` manager; this
    only lifts the database's row-level policy for the block."""
    with transaction.atomic(using=using):
        previous = _db_get(ALL_TENANTS_SETTING, using)
        _db_set(ALL_TENANTS_SETTING, "on", using)
        yield
        _db_set(ALL_TENANTS_SETTING, previous, using)


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
