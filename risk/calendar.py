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

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, models
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from clients.access import client_rows, tenant_clients, visible_clients
from clients.models import GroupMembership

from . import rules
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
        # SQLite rolls 29 February + 1 year over to 1 March; PostgreSQL (and
        # rules.add_months) clamp to the month's last day: the earlier of the two
        end = f"date({sql}, 'start of month', '{months + 1:+d} months', '-1 day')"
        return f"min(date({sql}, '{months:+d} months'), {end})", params + params


def _kyc_years(settings) -> dict[str, int]:
    return {
        "high": settings.kyc_refresh_years_high,
        "medium": settings.kyc_refresh_years_medium,
        "low": settings.kyc_refresh_years_low,
    }


def kyc_due_expression(settings) -> Case:
    """The KYC refresh date of a Client row, by its risk level and the settings."""
    years = _kyc_years(settings)
    whens = [
        When(
            Q(kyc_reviewed_on__isnull=False, kyc_risk_level=level),
            then=AddInterval(F("kyc_reviewed_on"), years=n),
        )
        for level, n in years.items()
    ]
    return Case(*whens, default=F("next_kyc_review"), output_field=models.DateField())


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def kyc_window_q(settings, *, due_after: date | None, due_before: date | None) -> Q:
    """A superset of the clients whose ``kyc_due_expression`` lies in the window,
    written on the stored columns so PostgreSQL can read it from the
    ``client_tenant_kyc*`` indexes (the expression itself cannot be indexed: its
    years are tenant settings). One day of slack either side covers 29 February;
    the exact filter on the expression still applies."""
    slack = timedelta(days=1)
    years = _kyc_years(settings)
    q = Q()
    for level, n in years.items():
        arm = Q(kyc_risk_level=level, kyc_reviewed_on__isnull=False)
        if due_after is not None:
            arm &= Q(kyc_reviewed_on__gte=_years_before(due_after, n) - slack)
        if due_before is not None:
            arm &= Q(kyc_reviewed_on__lte=_years_before(due_before, n) + slack)
        q |= arm
    never = Q(kyc_reviewed_on__isnull=True, next_kyc_review__isnull=False)
    if due_after is not None:
        never &= Q(next_kyc_review__gte=due_after)
    if due_before is not None:
        never &= Q(next_kyc_review__lte=due_before)
    return q | never


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
    if client_path:
        # the name by a scalar subquery, not a join: PostgreSQL evaluates it after
        # ORDER BY ... LIMIT, for the rows shown only, not for every row in the window
        name = Subquery(
            tenant_clients().filter(pk=OuterRef(f"{client_path}_id")).values("name")[:1],
            output_field=models.CharField(),
        )
    else:
        name = F("name")
    return qs.annotate(
        r_kind=Value(kind, output_field=models.CharField()),
        r_client_id=F(f"{client_path}_id" if client_path else "id"),
        r_client_name=name,
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


@dataclass(frozen=True)
class Part:
    """One shaped part of the calendar and the order of its rows that follows
    ``r_due`` (for a per-part "first n": a stored column where one exists)."""

    rows: QuerySet
    order: tuple[str, ...]


def _kyc_parts(clients: QuerySet, settings, *, split: bool) -> list[Part]:
    if not split:
        shaped = _shape(
            clients,
            kind=ReviewKind.KYC_REFRESH,
            client_path="",
            item_id=F("id"),
            due=kyc_due_expression(settings),
        )
        return [Part(shaped, ("r_due", "id"))]
    # one part per level: within a level the due date grows with the refresh date,
    # so "the first n" reads the index ``client_tenant_kyc`` in order
    parts = [
        Part(
            _shape(
                clients.filter(kyc_risk_level=level, kyc_reviewed_on__isnull=False),
                kind=ReviewKind.KYC_REFRESH,
                client_path="",
                item_id=F("id"),
                due=AddInterval(F("kyc_reviewed_on"), years=years),
            ),
            ("kyc_reviewed_on", "id"),
        )
        for level, years in _kyc_years(settings).items()
    ]
    never = clients.filter(kyc_reviewed_on__isnull=True)
    parts.append(
        Part(
            _shape(
                never,
                kind=ReviewKind.KYC_REFRESH,
                client_path="",
                item_id=F("id"),
                due=F("next_kyc_review"),
            ),
            ("next_kyc_review", "id"),
        )
    )
    return parts


def revaluation_cap_bound(due_before: date, months: int) -> date:
    """Every valuation on or after this day falls due (valued_at + ``months``,
    clamped to the month's end as PostgreSQL clamps) after ``due_before``:
    adding months is monotonic and the clamp loses at most three days, so a
    week after ``due_before`` less ``months`` is past it."""
    return rules.add_months(due_before, -months) + timedelta(days=7)


def _revaluation_parts(rows, settings, *, due_before=None) -> list[Part]:
    """The revaluations as two parts whose due date follows a stored column
    (``revaluation_due_expression`` split where its arms meet): due on the
    stored next revaluation — any kind but real estate, and real estate whose
    next date comes before its cap — read by ``next_revaluation_at``; and real
    estate due at its cap (``valued_at`` + the settings' months), read by
    ``valued_at``. Both from indexes in that order (``collateral_revaluation``,
    ``collateral_real_estate_valued``)."""
    months = settings.real_estate_revaluation_months
    real_estate = CollateralKind.REAL_ESTATE
    by_next = Collateral.objects.filter(next_revaluation_at__isnull=False).filter(
        ~Q(kind=real_estate)
        | Q(next_revaluation_at__lte=AddInterval(F("valued_at"), months=months))
    )
    at_cap = Collateral.objects.filter(kind=real_estate).filter(
        Q(next_revaluation_at__isnull=True)
        | Q(next_revaluation_at__gt=AddInterval(F("valued_at"), months=months))
    )
    if due_before is not None:
        # due = valued_at + months ≤ due_before, as a bound on the indexed column
        # itself so the walk down ``collateral_real_estate_valued`` stops at it:
        # adding months is monotonic and clamping loses at most three days, so
        # every valuation from a week after due_before - months is due later.
        # A superset; the exact condition on the due date still applies.
        at_cap = at_cap.filter(valued_at__lt=revaluation_cap_bound(due_before, months))
    shape = {"kind": ReviewKind.REVALUATION, "client_path": "client", "item_id": F("id")}
    return [
        Part(
            _shape(rows(by_next), due=F("next_revaluation_at"), **shape),
            ("next_revaluation_at", "id"),
        ),
        Part(
            _shape(rows(at_cap), due=AddInterval(F("valued_at"), months=months), **shape),
            ("valued_at", "id"),
        ),
    ]


def _parts(
    *, clients: QuerySet, rows, kinds=None, due_after=None, due_before=None, split=False
) -> list[Part]:
    """The calendar's parts; ``split``: KYC one part per level and revaluations
    in two, each with an order of its rows that an index gives (the desk)."""
    settings = risk_settings()
    kinds = set(kinds or ReviewKind.values)
    parts = []
    if ReviewKind.RATING_REVIEW in kinds:
        shaped = _shape(
            rows(ClientRating.objects.all()),
            kind=ReviewKind.RATING_REVIEW,
            client_path="client",
            item_id=F("client_id"),
            due=F("next_review_at"),
        )
        parts.append(Part(shaped, ("next_review_at", "client_id")))
    if ReviewKind.KYC_REFRESH in kinds:
        kyc_clients = clients
        if due_after is not None or due_before is not None:
            kyc_clients = clients.filter(
                kyc_window_q(settings, due_after=due_after, due_before=due_before)
            )
        parts += _kyc_parts(kyc_clients, settings, split=split)
    if ReviewKind.REVALUATION in kinds and split:
        parts += _revaluation_parts(rows, settings, due_before=due_before)
    elif ReviewKind.REVALUATION in kinds:
        shaped = _shape(
            rows(Collateral.objects.all()),
            kind=ReviewKind.REVALUATION,
            client_path="client",
            item_id=F("id"),
            due=revaluation_due_expression(settings),
        )
        parts.append(Part(shaped, ("r_due", "id")))
    if ReviewKind.LIMIT_EXPIRY in kinds:
        newer = CreditLimit.objects.filter(client_id=OuterRef("client_id"), pk__gt=OuterRef("pk"))
        shaped = _shape(
            rows(CreditLimit.objects.filter(client__isnull=False)).filter(~Exists(newer)),
            kind=ReviewKind.LIMIT_EXPIRY,
            client_path="client",
            item_id=F("id"),
            due=F("expires_on"),
        )
        parts.append(Part(shaped, ("expires_on", "id")))
        # A group limit is one row, on the first member (lowest id) among
        # ``clients``: listed once however many members the user sees.
        newer_group = CreditLimit.objects.filter(
            group_id=OuterRef("group_id"), pk__gt=OuterRef("pk")
        )
        first = clients.filter(group_memberships__group_id=OuterRef("group_id")).order_by("pk")
        shaped = (
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
        parts.append(Part(shaped, ("expires_on", "id")))
    return [
        Part(
            _bounded(p.rows, due_after=due_after, due_before=due_before)
            .order_by()
            .values(*COLUMNS),
            p.order,
        )
        for p in parts
    ]


def calendar_parts(
    *, clients: QuerySet, rows, kinds=None, due_after=None, due_before=None
) -> list[QuerySet]:
    """The shaped querysets (four kinds, limits in two parts) (``rows(queryset)`` scopes a tenant-owned
    queryset to ``clients``), each filtered by due date, ``values(*COLUMNS)``."""
    return [
        p.rows
        for p in _parts(
            clients=clients, rows=rows, kinds=kinds, due_after=due_after, due_before=due_before
        )
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


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite: text


def _due_item(row: dict, today: date) -> DueItem:
    return DueItem(
        kind=row["r_kind"],
        client_id=row["r_client_id"],
        client_name=row["r_client_name"],
        item_id=row["r_item_id"],
        due_on=_as_date(row["r_due"]),
        today=today,
    )


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

    def _ordered(self):
        """The union in the calendar's order (None without parts)."""
        union = self._union()
        return None if union is None else union.order_by("r_due", "r_kind", "r_item_id")

    def __getitem__(self, key):
        ordered = self._ordered()
        if ordered is None:
            return []
        if isinstance(key, slice):
            return [self._item(r) for r in ordered[key]]
        return self._item(ordered[key])

    def __iter__(self):
        return iter(self[0 : self.count()])

    def stream(self, chunk_size: int = 2000) -> Iterator[DueItem]:
        """Every row in the calendar's order from one query, fetched
        ``chunk_size`` at a time (a server-side cursor on PostgreSQL): a sweep
        over the whole tenant holds one chunk, not every item."""
        ordered = self._ordered()
        if ordered is None:
            return
        for row in ordered.iterator(chunk_size=chunk_size):
            yield self._item(row)

    def _item(self, row: dict) -> DueItem:
        return _due_item(row, self.today)


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
    clients, rows = _scope(user=user, client=client)
    parts = calendar_parts(
        clients=clients, rows=rows, kinds=kinds, due_after=due_after, due_before=due_before
    )
    return CalendarRows(parts, today)


def _scope(*, user, client, join: bool = False):
    """The clients and the ``rows(queryset)`` scoping of a calendar for ``user``:
    every visible client, one by id (visibility decides) or one from ``client_get``."""
    if client is not None and not isinstance(client, int):
        # a client that came from client_get for this user (the 360° page):
        # its rows, without checking its visibility a second time
        def rows(qs):
            return client_rows(qs, user=user, client=client)

        return tenant_clients().filter(pk=client.pk), rows

    clients = visible_clients(user)
    if client is not None:  # an id from a query string: visibility decides
        clients = clients.filter(pk=client)

    def rows(qs):
        # whole-bank roles: no semi-join over every client (``client_rows``);
        # ``join``: the rule on each row's client, for parts read in index order
        qs = client_rows(qs, user=user, join=join)
        return qs if client is None else qs.filter(client_id=client)

    return clients, rows


def desk_calendar(*, user, days: int = 30, limit: int = 10, today=None) -> list[DueItem]:
    """The desk's panel: overdue and due within ``days``, the first ``limit``
    (the same rows as ``review_calendar(...)[:limit]``). Each part's first
    ``limit`` rows are read in an indexed order and merged here instead of
    sorting every overdue item of the bank: on PostgreSQL one ``UNION ALL`` of
    the ordered, limited parts, elsewhere a query per part. Rows are scoped with
    visibility on each row's client (``client_rows(join=True)``): the walk down
    an index stops after ``limit`` visible rows. (Two refresh or valuation dates
    a day apart can share a due date at a month's end or around 29 February;
    between those the tie order may differ from the calendar page's.)"""
    today = today or timezone.localdate()
    clients, rows = _scope(user=user, client=None, join=True)
    parts = _parts(clients=clients, rows=rows, due_before=today + timedelta(days=days), split=True)
    firsts = [p.rows.order_by(*p.order)[:limit] for p in parts]
    if connection.features.supports_slicing_ordering_in_compound:
        # PostgreSQL: the parts' first rows in one statement, a UNION ALL of
        # ordered and limited parts (one round trip instead of eight)
        first, *rest = firsts
        found = list(first.union(*rest, all=True))
    else:
        found = [row for part in firsts for row in part]
    found.sort(key=lambda r: (_as_date(r["r_due"]), r["r_kind"], r["r_item_id"]))
    return [_due_item(r, today) for r in found[:limit]]


def client_next_due(*, client, collaterals, limit: int = 5, today=None) -> list[DueItem]:
    """The 360° page's next due dates of one client (from ``client_get``): the
    rows of ``review_calendar(user=..., client=client)[:limit]``, from the
    collaterals the risk section has loaded and two small reads (the current
    rating's review date; the newest limit of the client and of each of its
    groups), with the calendar's rules applied here. The union builds six ORM
    querysets to find five rows of one client, about 10 ms of Python a page;
    the many-client calendar and the desk keep the SQL. Kept equal to the
    calendar by tests/risk/test_calendar.py."""
    today = today or timezone.localdate()
    settings = risk_settings()
    due: list[tuple[date, str, int]] = []
    review = (
        ClientRating.objects.filter(client_id=client.pk)
        .values_list("next_review_at", flat=True)
        .first()
    )
    if review is not None:
        due.append((review, ReviewKind.RATING_REVIEW, client.pk))
    years = _kyc_years(settings).get(client.kyc_risk_level)
    if client.kyc_reviewed_on is not None and years is not None:
        due.append(
            (
                rules.add_months(client.kyc_reviewed_on, 12 * years),
                ReviewKind.KYC_REFRESH,
                client.pk,
            )
        )
    elif client.next_kyc_review is not None:
        due.append((client.next_kyc_review, ReviewKind.KYC_REFRESH, client.pk))
    months = settings.real_estate_revaluation_months
    for c in collaterals:
        on = c.next_revaluation_at
        if c.kind == CollateralKind.REAL_ESTATE:
            cap = rules.add_months(c.valued_at, months)
            on = min(on or cap, cap)
        if on is not None:
            due.append((on, ReviewKind.REVALUATION, c.pk))
    # the newest limit of the client and of each of its groups (a newer one supersedes)
    groups = GroupMembership.objects.filter(client_id=client.pk).values("group_id")
    newest: dict[tuple, tuple[int, date]] = {}
    for pk, client_id, group_id, expires_on in CreditLimit.objects.filter(
        Q(client_id=client.pk) | Q(group_id__in=groups)
    ).values_list("pk", "client_id", "group_id", "expires_on"):
        key = ("client", client_id) if client_id is not None else ("group", group_id)
        if key not in newest or pk > newest[key][0]:
            newest[key] = (pk, expires_on)
    due += [(on, ReviewKind.LIMIT_EXPIRY, pk) for pk, on in newest.values()]
    due.sort(key=lambda row: (row[0], str(row[1]), row[2]))
    return [
        DueItem(
            kind=str(kind),
            client_id=client.pk,
            client_name=client.name,
            item_id=item_id,
            due_on=on,
            today=today,
        )
        for on, kind, item_id in due[:limit]
    ]
