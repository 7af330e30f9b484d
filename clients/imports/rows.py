"""One row of a CSV import: typed, validated cells with the row's field errors, and the
report a run returns. Validation here is all a dry run does, so it must refuse every
value the database would refuse on the real run (a NUL character, an offset PostgreSQL
does not know, an amount beyond the column)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    FX_TO_BASE,
    CreditRating,
    Interest,
    ProductCategory,
    Transaction,
    TransactionCategory,
)

BATCH = 2000
MAX_AMOUNT = Decimal("1e18")  # the amount columns: 20 digits, 2 of them decimals
MAX_ERRORS_STORED = 100_000
# Choice values once (an enum's ``.values`` builds a new list on every call: 15% of a
# transactions import when read per row)
CREDIT_RATINGS = tuple(CreditRating.values)
INTERESTS = frozenset(Interest.values)
PRODUCT_CATEGORIES = tuple(ProductCategory.values)
PRODUCT_CATEGORIES_LOAN = str(ProductCategory.LOAN.value)
DIRECTIONS = tuple(Transaction.Direction.values)
TRANSACTION_CATEGORIES = tuple(TransactionCategory.values)
CHANNELS = tuple(Transaction.Channel.values)


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    touched_client_ids: set = field(default_factory=set)
    extra: dict = field(default_factory=dict)
    encoding: str = ""  # what the file was read as (utf-8, gb18030), empty when unreadable

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "ok": self.ok,
            "rows": self.rows_total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": len(self.errors),
            "errors": self.errors,
        }


class _Rollback(Exception):
    """Raised inside the file's transaction to undo a run that found bad rows."""


class RowInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


def _text(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


class _Row:
    """Collects one row's field errors while parsing."""

    def __init__(self, raw: dict, columns: set[str]):
        self.raw, self.columns, self.errors = raw, columns, []
        # PostgreSQL text cannot hold NUL: refuse it here, so the dry run says what the
        # real run would (it used to crash there after a "succeeded" dry run)
        for name, value in raw.items():
            if isinstance(value, str) and "\x00" in value:
                self.errors.append((name, _("Contains a NUL character (byte 0).")))
                raw[name] = value.replace("\x00", "")

    def has(self, name: str) -> bool:
        return name in self.columns

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str:
        value = _text(self.raw, name)
        if required and not value:
            self.errors.append((name, _("This field is required.")))
        elif len(value) > max_length:
            self.errors.append((name, _("At most %(n)s characters.") % {"n": max_length}))
        return value

    def choice(self, name: str, choices, default: str) -> str:
        value = _text(self.raw, name)
        if not value:
            return default
        if value not in choices:
            self.errors.append(
                (
                    name,
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": value, "choices": ", ".join(choices)},
                )
            )
        return value

    def decimal(self, name: str, *, required: bool = True) -> Decimal | None:
        value = _text(self.raw, name).replace(",", "")
        if not value:
            if required:
                self.errors.append((name, _("This field is required.")))
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.errors.append((name, _("Not a number.")))
            return None
        if not number.is_finite() or number < 0:
            self.errors.append((name, _("Must be zero or more.")))
            return None
        # before quantize: 1e999999 has no two-decimal form (quantize raised InvalidOperation)
        if number >= MAX_AMOUNT:
            self.errors.append((name, _("Too large.")))
            return None
        if number != number.quantize(Decimal("0.01")):
            self.errors.append((name, _("At most two decimal places.")))
            return None
        return number.quantize(Decimal("0.01"))

    def integer(self, name: str, *, maximum: int = 2_147_483_647) -> int | None:
        """A whole number ≥ 0 (empty is None); anything else is the column's error."""
        value = _text(self.raw, name).replace(",", "")
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.errors.append((name, _("Not a whole number.")))
            return None
        if number < 0:
            self.errors.append((name, _("Must be zero or more.")))
            return None
        if number > maximum:
            self.errors.append((name, _("Too large.")))
            return None
        return number

    def currency(self, name: str = "currency") -> str:
        value = _text(self.raw, name).upper() or "CNY"
        if value not in FX_TO_BASE:
            self.errors.append((name, _("Unknown currency “%(value)s”.") % {"value": value}))
        return value

    def date(self, name: str) -> date | None:
        value = _text(self.raw, name)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors.append((name, _("Not a date (YYYY-MM-DD).")))
            return None

    def datetime(self, name: str, tz) -> datetime | None:
        value = _text(self.raw, name)
        if not value:
            self.errors.append((name, _("This field is required.")))
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.errors.append(
                (name, _("Not a date and time (ISO 8601, e.g. 2026-03-01T14:30:00+08:00)."))
            )
            return None
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=tz)
        try:
            # UTC before it reaches the database: PostgreSQL refuses offsets past ±15:59
            moment = moment.astimezone(UTC)
        except OverflowError:
            moment = None
        if moment is None or not 1900 <= moment.year <= 9998:
            self.errors.append((name, _("Out of range (years 1900 to 9998).")))
            return None
        return moment
