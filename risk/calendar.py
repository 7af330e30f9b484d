"""The review calendar: everything that falls due on the clients a user sees,
in one set-based query (a UNION ALL of four parts, ordered and paged in SQL).

Kinds (``ReviewKind``) and their due dates:

- rating review: ``ClientRating.next_review_at``;
- KYC refresh: ``Client.kyc_reviewed_on`` + ``RiskSettings.kyc_refresh_years_<level>``
  years by ``Client.kyc_risk_level``; ``Client.next_kyc_review`` when the client
  was never refreshed; no date, not listed;
- collateral revaluation: ``Collateral.next_revaluation_at``; for real estate at
  most ``valued_at`` + ``real_estate_revaluation_months`` (the earlier);
- credit-limit expiry: ``CreditLimit.expires_on`` of client limits not superseded
  by a newer limit of the same client; a group limit not superseded by a newer
  limit of the same group is one row on the group's first member (lowest id)
  among the clients the user sees (no row when they see none).

The due dates are SQL expressions (``AddInterval`` below: PostgreSQL interval
arithmetic, SQLite's date modifiers), so the filters "due before / after" and
the ordering run in the database. ``item_id`` is the client (rating, KYC), the
collateral or the credit limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from clients.access import client_rows, tenant_clients, visible_clients

from .models import ClientRating, Collateral, CollateralKind, CreditLimit, ReviewKind
from .scale import risk_settings

COLUMNS = ("r_kind", "r_client_id", "r_client_name", "r_item_id", "r_due")


class AddInterval(models.Func):
    """``date + n years|months`` as a date, on PostgreSQL and SQLite; ``n`` is
    a Python int (a tenant setting), never user input."""

    output_field = models.DateField()

    def __init__(self, expression, *, years: int = 0, months: int = 0):
        self.years, self.months = int(years), int(months)
        super().__init__(expression, output_field=models.DateField())

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL and the rest
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"CAST(({sql}) + make_interval(years => {self.years}, months => {self.months}) AS date)",
            params,
        )

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        months = self.years * 12 + self.months
        return f"date({sql}, '{months:+d} months')", params


def kyc_due_expression(settings) -> Case:
    """The KYC refresh date of a Client row, by its risk level and the settings."""
    years = {
        "high": settings.kyc_refresh_years_high,
        "medium": settings.kyc_refresh_years_medium,
        "low": settings.kyc_refresh_years_low,
    }
    whens = [
        When(
            Q(kyc_reviewed_on__isnull=False, kyc_risk_level=level),
            then=AddInterval(F("kyc_reviewed_on"), years=n),
        )
        for level, n in years.items()
    ]
    return Case(*whens, default=F("next_kyc_review"), output_field=models.DateField())


def revaluation_due_expression(settings):
    cap = AddInterval(F("valued_at"), months=settings.real_estate_revaluation_months)
    return Case(
        When(
            kind=CollateralKind.REAL_ESTATE,
            then=Least(Coalesce(F("next_revaluation_at"), cap), cap),
        ),
        default=F("next_revaluation_at"),
        output_field=models.DateField(),
    )


def _shape(qs: QuerySet, *, kind: str, client_path: str, item_id, due) -> QuerySet:
    prefix = f"{client_path}__" if client_path else ""
    return qs.annotate(
        r_kind=Value(kind, output_field=models.CharField()),
        r_client_id=F(f"{prefix}id" if prefix else "id"),
        r_client_name=F(f"{prefix}name"),
        r_item_id=item_id,
        r_due=due,
    )


def _bounded(qs: QuerySet, *, due_after, due_before) -> QuerySet:
    qs = qs.filter(r_due__isnull=False)
    if due_after is not None:
        qs = qs.filter(r_due__gte=due_after)
    if due_before is not None:
        qs = qs.filter(r_due__lte=due_before)
    return qs


def calendar_parts(
    *, clients: QuerySet, rows, kinds=None, due_after=None, due_before=None
) -> list[QuerySet]:
    """The shaped querysets (four kinds, limits in two parts) (``rows(queryset)`` scopes a tenant-owned
    queryset to ``clients``), each filtered by due date, ``values(*COLUMNS)``."""
    settings = risk_settings()
    kinds = set(kinds or ReviewKind.values)
    parts = []
    if ReviewKind.RATING_REVIEW in kinds:
        parts.append(
            _shape(
                rows(ClientRating.objects.all()),
                kind=ReviewKind.RATING_REVIEW,
                client_path="client",
                item_id=F("client_id"),
                due=F("next_review_at"),
            )
        )
    if ReviewKind.KYC_REFRESH in kinds:
        parts.append(
            _shape(
                clients,
                kind=ReviewKind.KYC_REFRESH,
                client_path="",
                item_id=F("id"),
                due=kyc_due_expression(settings),
            )
        )
    if ReviewKind.REVALUATION in kinds:
        parts.append(
            _shape(
                rows(Collateral.objects.all()),
                kind=ReviewKind.REVALUATION,
                client_path="client",
                item_id=F("id"),
                due=revaluation_due_expression(settings),
            )
        )
    if ReviewKind.LIMIT_EXPIRY in kinds:
        newer = CreditLimit.objects.filter(client_id=OuterRef("client_id"), pk__gt=OuterRef("pk"))
        parts.append(
            _shape(
                rows(CreditLimit.objects.filter(client__isnull=False)).filter(~Exists(newer)),
                kind=ReviewKind.LIMIT_EXPIRY,
                client_path="client",
                item_id=F("id"),
                due=F("expires_on"),
            )
        )
        # A group limit is one row, on the first member (lowest id) among
        # ``clients``: listed once however many members the user sees.
        newer_group = CreditLimit.objects.filter(
            group_id=OuterRef("group_id"), pk__gt=OuterRef("pk")
        )
        first = clients.filter(group_memberships__group_id=OuterRef("group_id")).order_by("pk")
        parts.append(
            CreditLimit.objects.filter(group__isnull=False)
            .filter(~Exists(newer_group))
            .annotate(
                r_kind=Value(ReviewKind.LIMIT_EXPIRY, output_field=models.CharField()),
                r_client_id=Subquery(first.values("pk")[:1]),
                r_client_name=Subquery(first.values("name")[:1], output_field=models.CharField()),
                r_item_id=F("id"),
                r_due=F("expires_on"),
            )
            .filter(r_client_id__isnull=False)
        )
    return [
        _bounded(p, due_after=due_after, due_before=due_before).order_by().values(*COLUMNS)
        for p in parts
    ]


@dataclass(frozen=True)
class DueItem:
    kind: str
    client_id: int
    client_name: str
    item_id: int
    due_on: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def kind_label(self) -> str:
        return ReviewKind(self.kind).label

    def as_api(self) -> dict:
        return {
            "kind": self.kind,
            "client": {"id": self.client_id, "name": self.client_name},
            "item_id": self.item_id,
            "due_on": self.due_on.isoformat(),
            "overdue": self.overdue,
            "days_left": self.days_left,
        }


class CalendarRows:
    """A lazily sliced, counted union: what Paginator (and DRF's) needs. Each
    slice is one query; ``count()`` one more."""

    def __init__(self, parts: list[QuerySet], today: date):
        self.parts, self.today = parts, today

    def _union(self):
        if not self.parts:
            return None
        first, *rest = self.parts
        return first.union(*rest, all=True) if rest else first

    def count(self) -> int:
        union = self._union()
        return 0 if union is None else union.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        union = self._union()
        if union is None:
            return []
        ordered = union.order_by("r_due", "r_kind", "r_item_id")
        if isinstance(key, slice):
            return [self._item(r) for r in ordered[key]]
        return self._item(ordered[key])

    def __iter__(self):
        return iter(self[0 : self.count()])

    def _item(self, row: dict) -> DueItem:
        due = row["r_due"]
        if isinstance(due, str):  # SQLite's date() answers text
            due = date.fromisoformat(due)
        return DueItem(
            kind=row["r_kind"],
            client_id=row["r_client_id"],
            client_name=row["r_client_name"],
            item_id=row["r_item_id"],
            due_on=due,
            today=self.today,
        )


def review_calendar(
    *,
    user,
    kinds=None,
    client=None,
    due_after: date | None = None,
    due_before: date | None = None,
    overdue: bool | None = None,
    today: date | None = None,
) -> CalendarRows:
    """What falls due on the clients ``user`` sees, earliest first.
    ``overdue=True``: due before today; ``False``: due today or later."""
    today = today or timezone.localdate()
    if overdue is True:
        yesterday = today - timedelta(days=1)
        due_before = yesterday if due_before is None else min(due_before, yesterday)
    elif overdue is False:
        due_after = today if due_after is None else max(due_after, today)
    if client is not None and not isinstance(client, int):
        # a client that came from client_get for this user (the 360° page):
        # its rows, without checking its visibility a second time
        clients = tenant_clients().filter(pk=client.pk)

        def rows(qs):
            return client_rows(qs, user=user, client=client)

    else:
        clients = visible_clients(user)
        if client is not None:  # an id from a query string: visibility decides
            clients = clients.filter(pk=client)

        def rows(qs):
            return qs.filter(client__in=clients.values("pk"))

    parts = calendar_parts(
        clients=clients, rows=rows, kinds=kinds, due_after=due_after, due_before=due_before
    )
    return CalendarRows(parts, today)


def desk_calendar(*, user, days: int = 30, limit: int = 10, today=None) -> list[DueItem]:
    """The desk's panel: overdue and due within ``days``, the first ``limit``."""
    today = today or timezone.localdate()
    return review_calendar(user=user, due_before=today + timedelta(days=days), today=today)[:limit]
