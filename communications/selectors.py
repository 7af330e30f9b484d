"""Reads of communications data. Every query starts from the access policy
(``clients.access.visible_clients``); call reports then pass the ethical wall."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.http import Http404
from django.utils import timezone

from clients.access import client_rows, managed_by_q, visible_clients
from clients.cadence import cadence_tighteners
from clients.models import Client, ContactPerson
from clients.selectors import CLIENT_PII_DEFERRED, PII_DEFERRED
from tenancy import selectors as tenancy_selectors
from tenancy.context import require_tenant_id
from tenancy.models import Role, User
from tenancy.shortcuts import get_or_404
from tenancy.timezones import ZoneInfo, tenant_zone

from .models import (
    CalendarFeedToken,
    CommunicationSettings,
    FollowUp,
    Interaction,
    Notification,
)
from .policy import followup_note_hidden, wall_q

# --- settings ---------------------------------------------------------------------


def comm_settings_get() -> CommunicationSettings:
    """The tenant in scope's rules (defaults when none were saved; never writes)."""
    found = CommunicationSettings.objects.first()
    return found or CommunicationSettings(tenant_id=require_tenant_id())


# --- clients and colleagues ------------------------------------------------------------


def client_choices(*, user: User) -> QuerySet[Client]:
    """Clients offered in the quick "log an interaction" entry: the ones the
    user manages first (an RM's book), else every visible client."""
    qs = visible_clients(user).only("id", "name", "external_id")
    if user.role == Role.RM:
        qs = qs.filter(managed_by_q(user.pk))
    return qs.order_by("name", "id")


def contact_persons(*, client: Client) -> QuerySet[ContactPerson]:
    return ContactPerson.objects.filter(client=client).order_by("-is_decision_maker", "name")


def colleague_list(*, user: User) -> QuerySet[User]:
    """Active staff of the user's tenant (bank-side attendees, assignees)."""
    return (
        tenancy_selectors.staff_list(user=user)
        .filter(is_active=True)
        .select_related(None)
        .only("id", "username", "first_name", "last_name", "role")
        .order_by("last_name", "first_name", "username")
    )


# --- interactions (the ethical wall) ------------------------------------------------------


def confidentiality_q(user: User) -> Q:
    """Who may read a confidential call report (``policy.wall_q``)."""
    return wall_q(user)


def interaction_list(*, user: User, client: Client | None = None) -> QuerySet[Interaction]:
    """Interactions ``user`` may read: of their visible clients — or of
    ``client``, already checked by ``client_get`` — then the ethical wall."""
    return (
        client_rows(Interaction.objects.all(), user=user, client=client)
        .filter(confidentiality_q(user))
        .select_related("client", "author")
        .order_by("-occurred_at", "-id")
    )


def interaction_get(*, user: User, interaction_id) -> Interaction:
    return get_or_404(
        interaction_list(user=user).prefetch_related(
            "contacts", "attendees", "amendments__author", "follow_ups__assignee"
        ),
        interaction_id,
    )


# --- follow-ups -------------------------------------------------------------------------


class _WalledFollowUps(ModelIterable):
    """Follow-ups as loaded by ``followup_list``: the note of one made from a
    confidential report is blanked in the instance when the reader is outside
    the wall (``note_hidden``), so no template, serializer or feed can show it.
    A row without the annotation counts as hidden (fail closed)."""

    def __iter__(self):
        for follow_up in super().__iter__():
            if getattr(follow_up, "note_hidden", True):
                follow_up.note = ""
                follow_up.note_hidden = True
            yield follow_up


def _visible_followups(*, user: User, client: Client | None = None) -> QuerySet[FollowUp]:
    # the rule on each row's client (join=True): the client is joined for
    # select_related anyway, a semi-join over every visible client is not
    return client_rows(FollowUp.objects.all(), user=user, client=client, join=True)


def followup_list(*, user: User, client: Client | None = None) -> QuerySet[FollowUp]:
    """Follow-ups of the clients ``user`` may see (of ``client`` alone, already
    checked by ``client_get``, when given). Each carries ``confidential`` (made
    from a confidential report) and ``note_hidden`` (its note is behind the
    ethical wall for ``user``, and blanked)."""
    qs = (
        _visible_followups(user=user, client=client)
        .annotate(
            confidential=Coalesce(F("interaction__confidential"), Value(False)),
            note_hidden=followup_note_hidden(user),
        )
        .select_related("client", "client__branch", "assignee")
        # the client's encrypted contact fields are never shown with a
        # follow-up: not loaded, so not decrypted (~120 Fernet decryptions on
        # an RM's My day)
        .defer(*CLIENT_PII_DEFERRED)
        .order_by("due_at", "id")
    )
    qs._iterable_class = _WalledFollowUps
    return qs


def followup_get(*, user: User, followup_id) -> FollowUp:
    return get_or_404(followup_list(user=user), followup_id)


def local_day_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end (aware) of ``now``'s day in ``tz`` — DST-safe."""
    local = now.astimezone(tz).date()
    start = datetime.combine(local, time.min, tzinfo=tz)
    end = datetime.combine(local + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def my_followups(
    *, user: User, now: datetime | None = None, limit: int = 20, tz: ZoneInfo | None = None
) -> dict:
    """My day: the user's open follow-ups, overdue / due today / next 7 days,
    the first ``limit`` of each, and (``counts``) how many each list holds.

    Two plain queries: the ids and due times of every such follow-up on a
    client the user sees (one index range of ``followup_assignee_due``, a few
    dozen tuples for an RM), split and counted here; then the rows shown, by
    id, through ``followup_list`` (the wall on their notes) — none when all
    three lists are empty. One query with a window per list and a filter on
    it cost less in PostgreSQL but about 15 ms more to compile (Django wraps
    the seven-table select to filter on a window), for a few rows."""
    now = now or timezone.now()
    _start, end_of_today = local_day_bounds(now, tz or tenant_zone(user.tenant_id))
    mine = _visible_followups(user=user).filter(
        assignee_id=user.pk,
        status=FollowUp.Status.OPEN,
        due_at__lt=end_of_today + timedelta(days=7),
    )
    firsts: list[list[int]] = [[], [], []]
    totals = [0, 0, 0]
    for pk, due_at in mine.order_by("due_at", "id").values_list("pk", "due_at"):
        which = 0 if due_at < now else 1 if due_at < end_of_today else 2
        totals[which] += 1
        if totals[which] <= limit:
            firsts[which].append(pk)
    place = {pk: which for which, ids in enumerate(firsts) for pk in ids}
    lists: dict[int, list[FollowUp]] = {0: [], 1: [], 2: []}
    if place:
        # the same rule again (the row may have changed in between: it is
        # listed only if it is still the user's, open and visible)
        rows = followup_list(user=user).filter(
            pk__in=list(place), assignee_id=user.pk, status=FollowUp.Status.OPEN
        )
        for follow_up in rows:
            lists[place[follow_up.pk]].append(follow_up)
    return {
        "overdue": lists[0],
        "today": lists[1],
        "upcoming": lists[2],
        # as my_followup_counts (no query of its own)
        "counts": {"overdue": totals[0], "today": totals[1], "upcoming": totals[2]},
    }


def team_summary(*, user: User, now: datetime | None = None, tz=None, settings=None) -> list[dict]:
    """A branch head's team at a glance: per RM of their subtree, the open
    follow-ups overdue and due today, and the key clients (dedicated to them)
    due for a revisit — on clients the branch head may see. Counts only: no
    note or subject of any follow-up, so confidential call reports stay behind
    their wall. A fixed number of queries whatever the team's size."""
    rms = list(tenancy_selectors.team_rm_list(user=user).select_related(None))
    if not rms:
        return []
    now = now or timezone.now()
    _start, end_of_today = local_day_bounds(now, tz or tenant_zone(user.tenant_id))
    ids = [rm.pk for rm in rms]
    followups = {
        row["assignee_id"]: row
        for row in client_rows(FollowUp.objects.all(), user=user, join=True)
        .filter(
            assignee_id__in=ids,
            status=FollowUp.Status.OPEN,
            due_at__lt=end_of_today,
        )
        .values("assignee_id")
        .annotate(
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            today=Count("pk", filter=Q(due_at__gte=now)),
        )
        .order_by()
    }
    revisits = dict(team_revisit_counts(user=user, rm_ids=ids, now=now, settings=settings))
    return [
        {
            "rm": rm,
            "overdue": followups.get(rm.pk, {}).get("overdue", 0),
            "today": followups.get(rm.pk, {}).get("today", 0),
            "revisits": revisits.get(rm.pk, 0),
        }
        for rm in rms
    ]


def team_revisit_counts(*, user: User, rm_ids: list[int], now: datetime, settings=None) -> QuerySet:
    """(RM id, key clients dedicated to them due for a revisit) among the
    clients ``user`` sees: counted from the index ``client_team_revisit``
    alone (branch, manager; tier, last contact, lifecycle included)."""
    return (
        revisit_due_clients(
            clients=visible_clients(user).filter(dedicated_manager_id__in=rm_ids),
            now=now,
            settings=settings,
        )
        .order_by()
        .values("dedicated_manager_id")
        .annotate(n=Count("pk"))
        .values_list("dedicated_manager_id", "n")
    )


def my_followup_counts(*, user: User, now: datetime | None = None, tz=None) -> dict[str, int]:
    """My day's counters: the user's open follow-ups overdue / due today / in
    the next 7 days (one query; the lists below them stop at 20)."""
    now = now or timezone.now()
    _start, end_of_today = local_day_bounds(now, tz or tenant_zone(user.tenant_id))
    week = end_of_today + timedelta(days=7)
    return (
        followup_list(user=user)
        .filter(assignee_id=user.pk, status=FollowUp.Status.OPEN, due_at__lt=week)
        .aggregate(
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            today=Count("pk", filter=Q(due_at__gte=now, due_at__lt=end_of_today)),
            upcoming=Count("pk", filter=Q(due_at__gte=end_of_today)),
        )
    )


# --- revisit cadence ----------------------------------------------------------------------


def _not_contacted_since(cutoff: datetime, prefix: str) -> Q:
    return Q(**{f"{prefix}last_contacted_at__isnull": True}) | Q(
        **{f"{prefix}last_contacted_at__lt": cutoff}
    )


def _scaled(days: int, factor: Decimal) -> timedelta:
    return timedelta(seconds=int(Decimal(days) * 86400 * factor))


def revisit_overdue_q(*, settings: CommunicationSettings, now: datetime, prefix: str = "") -> Q:
    """Key clients (a tier with a cadence) not contacted within their cadence.

    Cadence tighteners (``clients.cadence``, e.g. risk's watch list) shorten
    it for the clients they match — cadence × factor, the shortest winning —
    and give matching clients of a tier without a cadence the tightest tier
    cadence × factor. Still one expression: the revisit lists stay one query."""
    cadences = settings.cadence_days()
    q = Q(pk__in=[])
    for tier, days in cadences.items():
        q |= Q(**{f"{prefix}tier": tier}) & _not_contacted_since(now - timedelta(days=days), prefix)
    tightest = min(cadences.values(), default=None)
    for tightener in cadence_tighteners():
        sooner = Q(pk__in=[])
        for tier, days in cadences.items():
            cutoff = now - _scaled(days, tightener.factor)
            sooner |= Q(**{f"{prefix}tier": tier}) & _not_contacted_since(cutoff, prefix)
        if tightest is not None:
            cutoff = now - _scaled(tightest, tightener.factor)
            sooner |= ~Q(**{f"{prefix}tier__in": list(cadences)}) & _not_contacted_since(
                cutoff, prefix
            )
        q |= tightener.q(prefix) & sooner  # one Exists() per tightener
    return q & ~Q(**{f"{prefix}lifecycle": Client.Lifecycle.CLOSED})


def revisit_due_clients(
    *,
    clients: QuerySet[Client],
    now: datetime | None = None,
    settings: CommunicationSettings | None = None,
) -> QuerySet[Client]:
    """Clients among ``clients`` due for a revisit, least recently contacted first.

    ``clients`` comes from the access policy for a person (My day) or is the
    tenant's whole book for the cadence job (a system task acting for no user).
    """
    now = now or timezone.now()
    settings = settings or comm_settings_get()
    return (
        clients.filter(revisit_overdue_q(settings=settings, now=now))
        .select_related("dedicated_manager")
        .order_by(F("last_contacted_at").asc(nulls_first=True), "id")
    )


def my_revisits(
    *, user: User, now: datetime | None = None, limit: int = 10, settings=None
) -> list[Client]:
    clients = visible_clients(user)
    if user.role == Role.RM:
        clients = clients.filter(managed_by_q(user.pk))
    due = revisit_due_clients(clients=clients, now=now, settings=settings)
    return list(due.defer(*PII_DEFERRED)[:limit])


# --- notifications and the calendar feed -------------------------------------------------------


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()


def notification_get(*, user: User, notification_id) -> Notification:
    return get_or_404(notification_list(user=user), notification_id)


def calendar_token_owner(*, token: str) -> User:
    """The active staff member whose feed token this is; 404 otherwise."""
    import hashlib

    digest = hashlib.sha256(token.encode()).hexdigest()
    found = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=digest, user__is_active=True, user__tenant__isnull=False)
        .first()
    )
    if found is None:
        raise Http404
    return found.user


def calendar_followups(*, user: User) -> QuerySet[FollowUp]:
    """The feed: exactly the user's open follow-ups on clients they may see."""
    return followup_list(user=user).filter(assignee_id=user.pk, status=FollowUp.Status.OPEN)


def has_calendar_token(*, user: User) -> bool:
    return CalendarFeedToken.objects.filter(user_id=user.pk).exists()


# --- planning contact: preferred channel, contact hours, consent ------------------------------


def contact_warnings(
    *, client: Client, channel: str, at: datetime | None, tz: ZoneInfo | None = None
) -> list[str]:
    """Warnings for contact planned through ``channel`` at ``at``: no marketing
    consent for that channel, or a time outside the client's contact hours
    (in the tenant's time zone)."""
    from django.utils.translation import gettext as _

    warnings = []
    channel_label = dict(Client.Channel.choices).get(channel, channel)
    if not (client.marketing_consent or {}).get(channel):
        warnings.append(
            _("%(client)s has not consented to marketing contact by %(channel)s.")
            % {"client": client.name, "channel": channel_label}
        )
    start, end = client.contact_time_from, client.contact_time_to
    if at is not None and start and end:
        local = at.astimezone(tz or tenant_zone(client.tenant_id)).time()
        inside = start <= local <= end if start <= end else (local >= start or local <= end)
        if not inside:
            warnings.append(
                _("%(time)s is outside %(client)s's contact hours (%(start)s–%(end)s).")
                % {
                    "time": local.strftime("%H:%M"),
                    "client": client.name,
                    "start": start.strftime("%H:%M"),
                    "end": end.strftime("%H:%M"),
                }
            )
    return warnings
