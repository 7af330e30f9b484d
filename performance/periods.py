"""Periods are months in the tenant's time zone, written ``YYYY-MM``."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy.context import scope_memo
from tenancy.timezones import tenant_zone

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(value: str, *, field: str = "period") -> tuple[int, int]:
    match = PERIOD_RE.match(value or "")
    if not match or not 2000 <= int(match.group(1)) <= 2999:
        raise ValidationError({field: [_("A month written YYYY-MM.")]})
    return int(match.group(1)), int(match.group(2))


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_day(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, 1)


def last_day(period: str) -> date:
    return first_day(shift(period, 1)) - timedelta(days=1)


def bounds(period: str, tz=None) -> tuple[datetime, datetime]:
    """[start, end) of the month as aware datetimes in the tenant's zone."""
    tz = tz or _zone()
    start = datetime.combine(first_day(period), time.min, tzinfo=tz)
    end = datetime.combine(first_day(shift(period, 1)), time.min, tzinfo=tz)
    return start, end


def _zone():
    """The tenant's zone, read once per scope."""
    memo = scope_memo()
    if "performance_zone" not in memo:
        memo["performance_zone"] = tenant_zone()
    return memo["performance_zone"]


def today_local(now: datetime | None = None, tz=None) -> date:
    return timezone.localtime(now or timezone.now(), tz or _zone()).date()


def current_period(now: datetime | None = None) -> str:
    return period_of(today_local(now))


def last_periods(period: str, n: int) -> list[str]:
    """``n`` months ending with ``period``, oldest first."""
    return [shift(period, -i) for i in range(n - 1, -1, -1)]
