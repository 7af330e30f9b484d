"""The earn rules (tenant-configurable in ``PointsSettings``), set-based and
idempotent: each rule is one ``INSERT … SELECT`` of entries keyed by their
source (``txn:<transaction id>``, ``birthday:<client id>:<year>``) — a rerun
or a concurrent run skips every key already written — followed by one UPDATE
of exactly those clients' balances. Run nightly by ``loyalty.tasks_points``.

- wealth-product purchases: ``points_per_10k_wealth`` per whole 10,000 CNY of
  each outgoing ``wealth`` transaction (other currencies at the fixed reference
  rates of ``clients.selectors.portfolio.base_currency``), for transactions of
  the last ``WEALTH_LOOKBACK_DAYS`` (a late import still earns; older ones do not);
- birthdays: ``birthday_bonus`` once a year for a client with a birthday life
  event falling in the last ``BIRTHDAY_LOOKBACK_DAYS`` days (a missed night is
  caught up), closed clients excepted; 29 February birthdays count on
  28 February in other years;
- event attendance: ``services.points_earn`` (called by client-care events).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import CharField, DateTimeField, F, IntegerField, Q, Value
from django.db.models.functions import Cast, Concat, Floor
from django.utils import timezone
from django.utils.translation import gettext_noop

from clients.models import Client, LifeEvent, Transaction, TransactionCategory
from clients.selectors.portfolio import base_currency
from tenancy.audit import audit_record
from tenancy.context import require_tenant_id

from ..models import EntryKind, PointsSettings
from .configuration import points_settings
from .ledger_sql import dt, write_run
from .services import lot_expiry

WEALTH_LOOKBACK_DAYS = 90
BIRTHDAY_LOOKBACK_DAYS = 7
WEALTH_KEY = "txn:"
BIRTHDAY_KEY = "birthday:"
# stored in English, shown translated (PointsEntry.reason_display)
WEALTH_REASON = gettext_noop("Wealth-product purchase")
BIRTHDAY_REASON = gettext_noop("Birthday bonus")


def _entry_columns(
    qs, *, tenant_id: int, points, reason: str, key, at: datetime, expires: datetime
):
    """``qs`` (rows with a ``client_id``) as the eight entry columns, in order."""
    return (
        qs.annotate(
            e_tenant=Value(tenant_id, output_field=IntegerField()),
            e_client=F("client_id"),
            e_kind=Value(EntryKind.EARN, output_field=CharField()),
            e_points=points,
            e_reason=Value(reason, output_field=CharField()),
            e_key=key,
            e_created=Value(dt(at), output_field=DateTimeField()),
            e_expires=Value(dt(expires), output_field=DateTimeField()),
        )
        .filter(e_points__gt=0)
        .order_by()
        .values_list(
            "e_tenant",
            "e_client",
            "e_kind",
            "e_points",
            "e_reason",
            "e_key",
            "e_created",
            "e_expires",
        )
    )


def _write(qs, *, tenant_id: int, at: datetime) -> int:
    sql, params = qs.query.sql_with_params()
    return write_run(select_sql=sql, params=list(params), tenant_id=tenant_id, at=at)


def earn_wealth_purchases(
    *, now: datetime | None = None, settings: PointsSettings | None = None
) -> int:
    """Points for the wealth-product purchases of the tenant in scope. Returns
    the number of entries written (0 on a rerun)."""
    settings = settings or points_settings()
    if settings.points_per_10k_wealth <= 0:
        return 0
    now = now or timezone.now()
    tenant_id = require_tenant_id()
    purchases = Transaction.objects.filter(
        category=TransactionCategory.WEALTH,
        direction=Transaction.Direction.OUT,
        occurred_at__gte=now - timedelta(days=WEALTH_LOOKBACK_DAYS),
        occurred_at__lte=now,
    )
    points = Cast(
        Floor(base_currency("amount") / Value(10_000)) * Value(settings.points_per_10k_wealth),
        IntegerField(),
    )
    key = Concat(Value(WEALTH_KEY), Cast("id", CharField()), output_field=CharField())
    qs = _entry_columns(
        purchases,
        tenant_id=tenant_id,
        points=points,
        reason=WEALTH_REASON,
        key=key,
        at=now,
        expires=lot_expiry(at=now, settings=settings),
    )
    return _write(qs, tenant_id=tenant_id, at=now)


def _birthday_days(today: date) -> list[date]:
    return [today - timedelta(days=n) for n in range(BIRTHDAY_LOOKBACK_DAYS)]


def _day_q(day: date) -> Q:
    q = Q(date__month=day.month, date__day=day.day)
    leap = (day.year % 4 == 0 and day.year % 100 != 0) or day.year % 400 == 0
    if day.month == 2 and day.day == 28 and not leap:
        q |= Q(date__month=2, date__day=29)
    return q


def earn_birthdays(*, now: datetime | None = None, settings: PointsSettings | None = None) -> int:
    """The birthday bonus of the tenant in scope's clients, once per client and year."""
    settings = settings or points_settings()
    if settings.birthday_bonus <= 0:
        return 0
    now = now or timezone.now()
    tenant_id = require_tenant_id()
    today = timezone.localdate(now)
    written = 0
    by_year: dict[int, list[date]] = {}
    for day in _birthday_days(today):
        by_year.setdefault(day.year, []).append(day)
    for year, days in sorted(by_year.items()):
        q = Q()
        for day in days:
            q |= _day_q(day)
        birthdays = (
            LifeEvent.objects.filter(q, kind=LifeEvent.Kind.BIRTHDAY)
            .exclude(client__lifecycle=Client.Lifecycle.CLOSED)
            .distinct()
        )
        key = Concat(
            Value(BIRTHDAY_KEY),
            Cast("client_id", CharField()),
            Value(f":{year}"),
            output_field=CharField(),
        )
        qs = _entry_columns(
            birthdays,
            tenant_id=tenant_id,
            points=Value(settings.birthday_bonus, output_field=IntegerField()),
            reason=BIRTHDAY_REASON,
            key=key,
            at=now,
            expires=lot_expiry(at=now, settings=settings),
        )
        written += _write(qs, tenant_id=tenant_id, at=now)
    return written


@dataclass
class EarnRun:
    wealth: int
    birthdays: int


def earn_rules_run(*, now: datetime | None = None) -> EarnRun:
    """Every earn rule for the tenant in scope, in one transaction. Concurrent
    runs of one tenant queue on the settings row; the unique source keys make
    a second run write nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        settings = _lock_settings()
        run = EarnRun(
            wealth=earn_wealth_purchases(now=now, settings=settings),
            birthdays=earn_birthdays(now=now, settings=settings),
        )
        if run.wealth or run.birthdays:
            audit_record(
                action="loyalty.points_earned",
                object_type="loyalty.pointsentry",
                data={"wealth_purchases": run.wealth, "birthdays": run.birthdays},
            )
        return run


def _lock_settings() -> PointsSettings:
    """The tenant's settings row, stored if need be, locked: one nightly points
    job of a tenant runs at a time."""
    stored = points_settings(persist=True)
    return PointsSettings.objects.select_for_update().get(pk=stored.pk)
