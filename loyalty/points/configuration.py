"""The tenant's points settings. Reads never write: until a tenant saves its
settings, the defaults are returned unsaved (``persist=True`` stores them, for
the writes that lock the row). Read once per tenant scope (request, task)."""

from __future__ import annotations

from tenancy.context import scope_memo

from ..models import PointsSettings

MEMO_KEY = "loyalty.points_settings"


def points_settings(*, persist: bool = False) -> PointsSettings:
    memo = scope_memo()
    obj = memo.get(MEMO_KEY)
    if obj is None:
        obj = PointsSettings.objects.first() or PointsSettings()
    if persist and obj.pk is None:
        obj, _created = PointsSettings.objects.get_or_create()
    memo[MEMO_KEY] = obj
    return obj


def forget_points_settings() -> None:
    scope_memo().pop(MEMO_KEY, None)
