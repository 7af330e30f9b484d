"""seed_demo: client-care events past and upcoming with invitations for
about 1.5 % of the managed clients (and some of ``demo_rm``'s), with RSVPs
(accepted, declined, waitlisted, attended), deterministic for the seed and
set-based at bench size (a few multi-row inserts, no per-client service call).
One salon starts within the hour, so the check-in page is open in the demo.

Demo attendances earn no points and open no thank-you follow-ups (those come
from the real check-in); the points ledger's demo rows are points' own."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.utils import timezone

from clients.access import tenant_clients
from tenancy.demo import SeedContext, insert_rows
from tenancy.models import Role

from ..models import Event, EventInvitation, EventKind

INVITED_SHARE = 0.015
BATCH = 5000

EVENTS = [
    # days from now, hours, kind, title, title_zh, location, tiers, interests
    (
        -120,
        19,
        EventKind.LECTURE,
        "Green finance outlook",
        "绿色金融展望讲座",
        "陆家嘴 · 总行 20F",
        ["platinum", "gold"],
        ["esg"],
    ),
    (
        -75,
        15,
        EventKind.SALON,
        "Family office salon",
        "家族办公室沙龙",
        "外滩 18 号",
        ["platinum"],
        ["estate_planning"],
    ),
    (
        -40,
        14,
        EventKind.SOCIAL,
        "Autumn golf day",
        "秋季高尔夫邀请赛",
        "佘山高尔夫俱乐部",
        ["platinum", "gold"],
        ["golf"],
    ),
    (
        -12,
        19,
        EventKind.LECTURE,
        "Tax planning 2027",
        "2027 税务筹划讲座",
        "总行 3F 报告厅",
        [],
        ["tax_planning"],
    ),
    (
        0,
        1,
        EventKind.SALON,
        "Art and collectibles salon",
        "艺术品收藏沙龙",
        "静安 · 贵宾中心",
        ["platinum", "gold"],
        ["art"],
    ),
    (
        9,
        19,
        EventKind.LECTURE,
        "Retirement income lecture",
        "养老规划投资讲座",
        "总行 3F 报告厅",
        [],
        ["retirement"],
    ),
    (
        21,
        14,
        EventKind.SOCIAL,
        "Children's education forum",
        "子女教育论坛",
        "浦东 · 贵宾中心",
        ["gold", "silver"],
        ["education"],
    ),
    (
        45,
        18,
        EventKind.SALON,
        "Philanthropy dinner",
        "慈善晚宴",
        "和平饭店",
        ["platinum"],
        ["philanthropy"],
    ),
]


def seed_events(ctx: SeedContext) -> None:
    started = time.monotonic()
    rng = random.Random(f"events-{ctx.seed}")
    tenant_id = ctx.tenant.pk
    admins = ctx.staff.get(Role.ADMIN, [])
    if not admins:
        return
    organiser = admins[0]
    demo_rm = next((u for u in ctx.staff.get(Role.RM, []) if u.username == "demo_rm"), None)
    now = timezone.now().replace(second=0, microsecond=0)
    clients = list(
        tenant_clients()
        .filter(dedicated_manager__isnull=False, lifecycle="active")
        .order_by("external_id")
        .values_list("pk", "dedicated_manager_id")
    )
    if not clients:
        return
    picked = [pk for pk, m in clients if rng.random() < INVITED_SHARE]
    mine = [pk for pk, m in clients if demo_rm is not None and m == demo_rm.pk][:12]
    chosen = set(picked)
    picked += [pk for pk in mine if pk not in chosen]
    per_event: list[list[int]] = [[] for _ in EVENTS]
    for i, pk in enumerate(picked):
        per_event[i % len(EVENTS)].append(pk)
    # demo_rm's clients go to the salon that starts within the hour (check-in) and the next one
    today = next(i for i, e in enumerate(EVENTS) if e[0] == 0)
    for pk in mine:
        for bucket in per_event:
            if pk in bucket:
                bucket.remove(pk)
    per_event[today] += mine[:8]
    per_event[today + 1] += mine[8:]

    events, invitations = [], []
    for (days, hours, kind, title, title_zh, place, tiers, interests), invitees in zip(
        EVENTS, per_event, strict=True
    ):
        if days == 0:
            starts = now + timedelta(hours=hours)
        else:
            starts = (now + timedelta(days=days)).replace(hour=hours % 24, minute=0) - timedelta(
                hours=8
            )  # the hour in China (UTC+8)
        past = starts <= now
        statuses = []
        for _pk in invitees:
            r = rng.random()
            if past:
                statuses.append("attended" if r < 0.55 else "declined" if r < 0.8 else "accepted")
            else:
                statuses.append("accepted" if r < 0.5 else "declined" if r < 0.7 else "invited")
        seated = sum(1 for s in statuses if s in ("accepted", "attended"))
        full = not past and days == 9  # one upcoming lecture is full: a waitlist
        if full:
            statuses = [("waitlisted" if s == "invited" else s) for s in statuses]
        capacity = max(1, seated if full else seated + max(5, len(invitees) // 4))
        events.append(
            Event(
                tenant_id=tenant_id,
                title=title,
                title_zh=title_zh,
                kind=kind,
                description="",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                location=place,
                capacity=capacity,
                target_tiers=tiers,
                target_interests=interests,
                reminder_hours=48,
                branch_id=organiser.branch_id,
                created_by_id=organiser.pk,
            )
        )
        invitations.append((invitees, statuses, starts))
    created = Event.objects.bulk_create(events)
    rows = []
    for event, (invitees, statuses, starts) in zip(created, invitations, strict=True):
        invited_at = min(starts, now) - timedelta(days=rng.randint(15, 30))
        for n, (pk, status) in enumerate(zip(invitees, statuses, strict=True)):
            answered = (
                None if status == "invited" else invited_at + timedelta(days=rng.randint(1, 10))
            )
            rows.append(
                (
                    tenant_id,
                    event.pk,
                    pk,
                    status,
                    "link",
                    invited_at,
                    answered,
                    answered + timedelta(minutes=n) if status == "waitlisted" else None,
                    starts + timedelta(minutes=rng.randint(-30, 30))
                    if status == "attended"
                    else None,
                    organiser.pk,
                )
            )
    columns = [
        "tenant_id", "event_id", "client_id", "status", "channel", "invited_at", "answered_at",
        "waitlisted_at", "attended_at", "created_by_id",
    ]  # fmt: skip
    for i in range(0, len(rows), BATCH):
        insert_rows(EventInvitation, columns, rows[i : i + BATCH])
    ctx.say(
        f"  events: {len(created)} events, {len(rows)} invitations "
        f"({time.monotonic() - started:.1f}s)"
    )
