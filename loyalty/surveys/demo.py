"""seed_demo: survey templates, a year of invitations and answers (NPS
around +40, with detractors and their service recoveries), deterministic for
the seed and set-based at bench size (100,000 clients: a few multi-row
inserts, no per-client query)."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.utils import timezone

from clients.access import tenant_clients
from tenancy.demo import SeedContext, insert_rows

from ..models import ServiceRecovery, Survey, SurveyInvitation, SurveyKind, SurveyResponse
from .services import category_of, survey_defaults_ensure

SURVEYED_SHARE = 0.3  # of the clients with a dedicated manager
ANSWER_RATE = 0.55
# promoters 55 %, passives 30 %, detractors 15 % -> NPS about +40
SCORES = [10] * 30 + [9] * 25 + [8] * 18 + [7] * 12 + [6] * 6 + [5] * 4 + [3] * 3 + [0] * 2
COMMENTS = {
    "promoter": [
        "服务很周到，客户经理非常专业。",
        "Always responsive, thank you.",
        "理财建议很及时。",
    ],
    "passive": ["还可以，希望网点排队时间短一些。", "Good, but the app could be faster."],
    "detractor": [
        "转账到账太慢，沟通不及时。",
        "My call was not returned for a week.",
        "费用说明不清楚。",
    ],
}
BATCH = 5000


def seed_surveys(ctx: SeedContext) -> None:
    started = time.monotonic()
    rng = random.Random(f"surveys-{ctx.seed}")
    tenant_id = ctx.tenant.pk
    nps = survey_defaults_ensure()
    Survey.objects.get_or_create(
        name="Branch visit",
        defaults={
            "kind": SurveyKind.CSAT,
            "question": "How satisfied were you with your visit to the branch?",
            "question_zh": "您对本次网点服务满意吗？",
            "active": False,
        },
    )
    clients = list(
        tenant_clients()
        .filter(dedicated_manager__isnull=False, lifecycle="active")
        .order_by("external_id")
        .values_list("pk", "dedicated_manager_id", "branch_id", "tier")
    )
    if not clients:
        ctx.say("surveys: no managed clients, nothing to seed")
        return
    now = timezone.now()
    picked = [c for c in clients if rng.random() < SURVEYED_SHARE] or clients[:1]
    invitations, answers = [], {}
    # the answers cycle through a shuffled deck of the distribution: the NPS is
    # +40 at any size, not only on average
    deck = SCORES[:]
    rng.shuffle(deck)
    for n, (client_id, _m, _b, _t) in enumerate(picked):
        sent_at = now - timedelta(days=rng.randint(1, 360), minutes=rng.randint(0, 600))
        expires_at = sent_at + timedelta(days=14)
        answered = rng.random() < ANSWER_RATE
        if answered:
            answered_at = sent_at + timedelta(hours=rng.randint(1, 96))
            if answered_at > now:
                answered_at = now - timedelta(minutes=5)
            answers[client_id] = (deck[len(answers) % len(deck)], answered_at, rng.random())
            status = SurveyInvitation.Status.ANSWERED
        else:
            answered_at = None
            status = (
                SurveyInvitation.Status.EXPIRED
                if expires_at <= now
                else SurveyInvitation.Status.SENT
            )
        invitations.append(
            (
                tenant_id,
                client_id,
                nps.pk,
                SurveyInvitation.Reason.PERIODIC,
                f"demo:{n}",
                "email",
                status,
                sent_at,
                expires_at,
                answered_at,
            )
        )
    columns = [
        "tenant_id", "client_id", "survey_id", "reason", "trigger_key",
        "channel", "status", "sent_at", "expires_at", "answered_at",
    ]  # fmt: skip
    for i in range(0, len(invitations), BATCH):
        insert_rows(SurveyInvitation, columns, invitations[i : i + BATCH])
    ids = dict(
        SurveyInvitation.objects.filter(trigger_key__startswith="demo:").values_list(
            "client_id", "pk"
        )
    )
    by_client = {c[0]: c for c in picked}
    responses = []
    for client_id, (score, answered_at, pick) in sorted(answers.items()):
        _c, manager_id, branch_id, tier = by_client[client_id]
        category = category_of(SurveyKind.NPS, score)
        comment = rng.choice(COMMENTS[category]) if pick < 0.35 else ""
        responses.append(
            (
                tenant_id,
                ids[client_id],
                client_id,
                nps.pk,
                SurveyKind.NPS,
                score,
                category,
                comment,
                answered_at,
                manager_id,
                branch_id,
                tier,
            )
        )
    columns = [
        "tenant_id", "invitation_id", "client_id", "survey_id", "kind", "score", "category",
        "comment", "answered_at", "manager_id", "branch_id", "tier",
    ]  # fmt: skip
    for i in range(0, len(responses), BATCH):
        insert_rows(SurveyResponse, columns, responses[i : i + BATCH])
    # detractors: a service recovery each; those of the last three days still open
    detractors = SurveyResponse.objects.filter(category="detractor").values_list(
        "pk", "client_id", "manager_id", "answered_at"
    )
    recoveries = []
    for pk, client_id, manager_id, answered_at in detractors.order_by("pk"):
        open_ = answered_at > now - timedelta(days=3)
        closed_at = None if open_ else answered_at + timedelta(hours=rng.randint(2, 60))
        recoveries.append(
            (
                tenant_id,
                "recovery",
                client_id,
                pk,
                manager_id,
                answered_at,
                answered_at + timedelta(hours=48),
                "open" if open_ else "closed",
                "" if open_ else "致电客户致歉，说明原因并跟进处理。",
                ""
                if open_
                else rng.choice(
                    ["客户表示理解。", "Fee refunded; client satisfied.", "问题已解决。"]
                ),
                closed_at,
                None if open_ else manager_id,
            )
        )
    columns = [
        "tenant_id", "kind", "client_id", "response_id", "manager_id", "opened_at", "due_at",
        "status", "action", "outcome", "closed_at", "closed_by_id",
    ]  # fmt: skip
    for i in range(0, len(recoveries), BATCH):
        insert_rows(ServiceRecovery, columns, recoveries[i : i + BATCH])
    ctx.say(
        f"  surveys: {len(invitations)} invitations, {len(responses)} answers, "
        f"{len(recoveries)} service recoveries ({time.monotonic() - started:.1f}s)"
    )
