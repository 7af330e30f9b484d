"""Filter options built from a tenant's branches and staff (``(id, name)``
pairs), kept per process while ``Tenant.directory_version`` is unchanged.

The version is bumped by database triggers on every change of a branch or of
a staff member's name, role, branch or status (tenancy migration 0005), and
the tenant row is read on every request, so a page sees a new RM or a renamed
branch on its next request, in every process, without a query of its own.
One entry per (tenant, name): the tenant id is part of the key, a stale
version is rebuilt, and nothing here outlives the process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_CACHE: dict[tuple[int, str], tuple[int, object]] = {}


def cached(tenant, name: str, build: Callable[[], T]) -> T:
    """``build()`` for ``tenant`` (in scope), or what it returned while the
    tenant's directory version was the same. ``build`` may depend only on
    the tenant's branches and the staff columns the triggers watch, and on
    what ``name`` says (the client list's filter form: its language).

    ``tenant`` is the row the request read when it began. A build is kept only
    if the version is still that one *after* the build read its rows: not when
    another transaction committed a change meanwhile, nor when this one made a
    change it may yet roll back (its own trigger moved the version it sees).
    A hit costs no query; a miss one more than the build."""
    key = (tenant.pk, name)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == tenant.directory_version:
        return hit[1]
    value = build()
    now = (
        type(tenant)
        .objects.filter(pk=tenant.pk)
        .values_list("directory_version", flat=True)
        .first()
    )
    if now == tenant.directory_version:
        _CACHE[key] = (now, value)
    return value


def clear() -> None:
    """Forget everything (tests)."""
    _CACHE.clear()
