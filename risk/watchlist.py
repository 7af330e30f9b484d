"""The watch list (关注名单): reads and writes in one module (issue 9).

Reads start from the clients access policy (``client_rows`` /
``visible_clients``) and run a fixed number of queries; writes are risk
officers' only, need a reason, run in one transaction, are audited
(``risk.watch_list_added`` / ``risk.watch_list_removed``) and tell the
client's dedicated manager (``tenancy.notify``, in their language).

Proposals: visible clients not on the list with an unresolved high-severity
alert or a current rating of CCC or worse on the tenant's scale. A scale
without a ``CCC`` grade uses the same position on it as CCC has on the
default scale (the worst 40%: grades from index round(len × 6 / 10)).

A current entry makes the client's revisit cadence tighter: risk registers
``on_watch_list_q`` as a ``clients.cadence`` tightener (``risk/apps.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.access import client_rows, visible_clients
from clients.selectors import CLIENT_PII_DEFERRED, PII_DEFERRED
from tenancy.audit import audit_record
from tenancy.models import Role
from tenancy.notify import Notice, notify
from tenancy.shortcuts import get_or_404

from .models import AlertKind, ClientRating, RiskAlert, Severity, WatchListEntry
from .scale import rating_scale

# The watch list halves the revisit cadence (a 30-day cadence becomes 15).
CADENCE_FACTOR = Decimal("0.5")
# "CCC or worse": CCC's position on the default scale (index 6 of 10).
WATCH_GRADE = "CCC"
DEFAULT_POSITION = Decimal(6) / Decimal(10)


# --- the rules -----------------------------------------------------------------------------


def may_edit(user) -> bool:
    """Only risk officers put clients on the list or take them off."""
    return user.role == Role.RISK_OFFICER


def watch_grades(codes: list[str]) -> list[str]:
    """The grades of a scale (best first) that propose a client: CCC and
    worse; without CCC, the grades from CCC's default position onwards."""
    if WATCH_GRADE in codes:
        start = codes.index(WATCH_GRADE)
    else:
        start = int((Decimal(len(codes)) * DEFAULT_POSITION).to_integral_value())
    return codes[start:]


def _current() -> QuerySet[WatchListEntry]:
    return WatchListEntry.objects.filter(removed_at__isnull=True)


def on_watch_list_q(prefix: str = "") -> Q:
    """Clients with a current entry, as one ``Exists()`` (``prefix`` reaches
    Client through a relation, e.g. ``"client__"``)."""
    return Q(Exists(_current().filter(client_id=OuterRef(f"{prefix}pk"))))


def is_on_watch_list(client) -> bool:
    return _current().filter(client_id=client.pk).exists()


# --- reads ---------------------------------------------------------------------------------


def watch_list(*, user, client=None, current: bool | None = True) -> QuerySet[WatchListEntry]:
    """Entries of the clients ``user`` sees, newest first, with the client and
    who added / removed them; ``current=None`` includes removed entries."""
    qs = WatchListEntry.objects.select_related(
        "client", "client__branch", "added_by", "removed_by"
    ).defer(*CLIENT_PII_DEFERRED)
    qs = client_rows(qs, user=user, client=client)
    if current is not None:
        qs = qs.filter(removed_at__isnull=current)
    return qs.order_by("-added_at", "-pk")


def watch_entry_get(*, user, entry_id) -> WatchListEntry:
    return get_or_404(watch_list(user=user, current=None), entry_id)


def current_entry(*, client) -> WatchListEntry | None:
    """The client's current entry (``client`` came from ``client_get``)."""
    return _current().filter(client_id=client.pk).select_related("added_by").first()


@dataclass
class Proposal:
    client: object  # a clients.Client annotated by proposals_queryset
    rating: str | None
    alert_kind: str | None
    high_alerts: int

    @property
    def reasons(self) -> list[str]:
        codes = []
        if self.high_alerts:
            codes.append("high_alert")
        if self.rating:
            codes.append("rating")
        return codes

    @cached_property  # shown twice a row on the desk (the cell and the reason field)
    def why(self) -> str:
        parts = []
        if self.high_alerts:
            kind = AlertKind(self.alert_kind).label if self.alert_kind else ""
            if self.high_alerts > 1:
                parts.append(
                    _("%(count)d high-severity alerts (newest: %(kind)s)")
                    % {"count": self.high_alerts, "kind": kind}
                )
            else:
                parts.append(_("High-severity alert: %(kind)s") % {"kind": kind})
        if self.rating:
            parts.append(_("Rating %(rating)s") % {"rating": self.rating})
        return "; ".join(parts)

    def as_api(self) -> dict:
        return {
            "client": self.client.pk,
            "client_name": self.client.name,
            "reasons": self.reasons,
            "rating": self.rating,
            "alert_kind": self.alert_kind,
            "high_alerts": self.high_alerts,
            "why": self.why,
        }


def proposals_queryset(*, user) -> QuerySet:
    """Visible clients not on the list with an unresolved high-severity alert
    or a current rating of CCC or worse: one query (correlated subqueries),
    newest alert first, then the worst rating; slice or page it."""
    grades = watch_grades([g.code for g in rating_scale()])
    alerts = RiskAlert.objects.filter(client_id=OuterRef("pk"), severity=Severity.HIGH).exclude(
        status=RiskAlert.Status.RESOLVED
    )
    count = alerts.order_by().values("client_id").annotate(n=Count("pk")).values("n")
    rating = ClientRating.objects.filter(client_id=OuterRef("pk"), rating__in=grades)
    # the candidates first (two small indexed sets), so the correlated subqueries
    # run for them only, not for every visible client; one UNION subquery, since
    # an OR of two IN (...) makes PostgreSQL read every client row to test both;
    # each candidate has, by construction, a high alert kind or a weak rating
    candidates = (
        RiskAlert.objects.filter(severity=Severity.HIGH)
        .exclude(status=RiskAlert.Status.RESOLVED)
        .order_by()
        .values("client_id")
        .union(ClientRating.objects.filter(rating__in=grades).order_by().values("client_id"))
    )
    return (
        visible_clients(user)
        .filter(pk__in=candidates)
        .annotate(
            watch_rating=Subquery(rating.values("rating")[:1]),
            watch_alert_kind=Subquery(alerts.order_by("-raised_at", "-pk").values("kind")[:1]),
            watch_alert_at=Subquery(alerts.order_by("-raised_at", "-pk").values("raised_at")[:1]),
            watch_high_alerts=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        )
        .exclude(on_watch_list_q())
        .select_related("branch")
        .defer(*PII_DEFERRED)
        .order_by(F("watch_alert_at").desc(nulls_last=True), "name", "pk")
    )


def as_proposals(clients) -> list[Proposal]:
    return [
        Proposal(
            client=c,
            rating=c.watch_rating,
            alert_kind=c.watch_alert_kind,
            high_alerts=c.watch_high_alerts,
        )
        for c in clients
    ]


def proposals(*, user, limit: int = 20) -> list[Proposal]:
    return as_proposals(proposals_queryset(user=user)[:limit])


# --- writes --------------------------------------------------------------------------------


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return reason


def _check_editor(user) -> None:
    if not may_edit(user):
        raise PermissionDenied(_("Only risk officers change the watch list."))


def watch_add(*, user, client, reason: str) -> WatchListEntry:
    """Put ``client`` (from ``client_get``) on the watch list. Risk officers
    only (PermissionDenied); a reason is required (ValidationError naming
    ``reason``); a client already on it is refused (ValidationError naming
    ``client`` — also under concurrency, by the partial unique constraint)."""
    _check_editor(user)
    reason = _reason(reason)
    refused = ValidationError({"client": _("This client is already on the watch list.")})
    with transaction.atomic():
        if is_on_watch_list(client):
            raise refused
        try:
            with transaction.atomic():
                entry = WatchListEntry.objects.create(
                    client=client, reason=reason, added_by=user, added_at=timezone.now()
                )
        except IntegrityError:
            raise refused from None
        audit_record(
            action="risk.watch_list_added",
            actor=user,
            target=entry,
            data={"client": client.pk, "reason": reason},
        )
        _notify_manager(entry, client=client, added=True)
    return entry


def watch_remove(*, user, client, reason: str, entry_id: int | None = None) -> WatchListEntry:
    """Take ``client`` off the watch list (the row stays: who, when, why).
    Same rules as ``watch_add``; a client not on the list (or an ``entry_id``
    already removed) is a ValidationError naming ``client``."""
    _check_editor(user)
    reason = _reason(reason)
    with transaction.atomic():
        qs = _current().select_for_update().filter(client_id=client.pk)
        if entry_id is not None:
            qs = qs.filter(pk=entry_id)
        entry = qs.first()
        if entry is None:
            raise ValidationError({"client": _("This client is not on the watch list.")})
        entry.removed_by = user
        entry.removed_at = timezone.now()
        entry.removal_reason = reason
        entry.save(update_fields=["removed_by", "removed_at", "removal_reason"])
        audit_record(
            action="risk.watch_list_removed",
            actor=user,
            target=entry,
            data={"client": client.pk, "reason": reason},
        )
        _notify_manager(entry, client=client, added=False)
    return entry


def _client_url(client_id) -> str:
    try:
        return reverse("clients:detail", kwargs={"client_id": client_id}) + "#risk-section"
    except NoReverseMatch:  # pragma: no cover - clients' page is always mounted
        return ""


def _notify_manager(entry: WatchListEntry, *, client, added: bool) -> None:
    """The dedicated manager learns it in the notifications centre, in their
    own language, in the transaction that changes the list."""
    manager = client.dedicated_manager
    if manager is None or not manager.is_active:
        return
    with translation.override(manager.language or manager.tenant.locale):
        args = {"client": client.name}
        if added:
            title = _("On the watch list: %(client)s") % args
            body = entry.reason
        else:
            title = _("Off the watch list: %(client)s") % args
            body = entry.removal_reason
    notify([Notice(recipient_id=manager.pk, title=title, body=body, url=_client_url(client.pk))])
