"""The wall walk: with a confidential call report in place (a canary in its
subject, summary, outcome, edit, amendment and next-step note) and after the
reminder and digest jobs have run, every page and API endpoint of the project
is requested by each role outside the ethical wall, and the canary never
appears; the insiders (an attendee, the dedicated manager, compliance) do
read it.

The URLs come from the URL resolver, so a new endpoint is walked without
anyone adding it here; one whose parameters the walk cannot fill fails the
walk until it is taught (``FILL_BY_PARAM``, ``PK_BY_BASENAME``) or listed in
``NOT_INTERACTION_DATA`` with the reason.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from communications import services, tasks
from communications.models import CommunicationSettings, FollowUp, Notification
from tenancy.models import Role
from tests.factories import ClientFactory, UserFactory

CANARY = "offer 12% to buy the family stake"
CANARY_WORDS = ("family stake", "kanary-7Q", "amend-7Q", "edit-7Q")

# The walk's reach: patterns with parameters that carry no interaction-derived
# data (their objects are not call reports, follow-ups, notifications or
# clients). Each is walked at its list page / API list, which is.
NOT_INTERACTION_DATA = {
    # products, tier thresholds, imports, groups, staff: no interaction data
    "clients:product_edit",
    "clients:import_detail",
    "clients:import_confirm",
    "clients:group_detail",
    "tenancy:staff_edit",
    "tenancy:staff_revoke_tokens",
    "tenancy:staff_reset_two_factor",
    # contact persons and life events of the client: client data, not interactions
    "clients:contact_edit",
    "clients:contact_delete",
    "clients:life_event_delete",
    "clients:team_remove",
    "clients:group_member_remove",
    "client-team-remove",
    # risk assessments: scores, rating, rationale and a snapshot of AUM/exposure, no interactions
    "risk:assessment_detail",
    "risk:assessment_submit",
    "risk:assessment_decide",
    # risk alerts: what the scan saw in limits, loans, collateral and transactions, no interactions
    "risk:alert_detail",
    "risk:alert_update",
    # a group limit: an amount and a date for a household / corporate group
    "risk:group_limit_create",
    # a service recovery: a survey answer (score, the client's comment) and what the RM did
    "loyalty:recovery",
    # the client's public survey page: its token is the credential, it shows one question
    "survey_public",
    # loyalty points: rewards (a name, a cost, a stock) and points adjustments (points and an
    # admin's reason), no interactions
    "loyalty:reward_edit",
    "loyalty:reward_redeem",
    "loyalty:points_approve",
    "loyalty:points_reject",
    # client-care events: a title, a time, a place, invitations (a client, a status), no interactions
    "loyalty:event",
    "loyalty:event_edit",
    "loyalty:event_invite",
    "loyalty:event_check_in",
    # the client's public RSVP page: its token is the credential, it shows the event and a status
    "event_public",
    # improvement actions: set and closed by POST (a goal, a date, a status; linked follow-ups
    # are shown on the RM's scorecard, which the walk opens)
    "performance:action_create",
    "performance:action_close",
}
# API routers' basenames whose objects carry no interaction data (walked at their lists)
NOT_INTERACTION_BASENAMES = {
    "branch",
    "user",
    "contact-person",
    "life-event",
    "client-group",
    "product",
    "holding",
    "transaction",
    "import",
    "riskassessment",
    "collateral",
    "creditlimit",
    "riskalert",  # early-warning alerts: figures from limits, loans, collateral, transactions
    "watchlistentry",  # the watch list: a client, a reason typed by a risk officer, no interactions
    "reward",  # the rewards catalogue: names, costs, stock
    "redemption",  # a reward given to a client for points
    "pointsadjustment",  # an admin's points adjustment waiting for a second admin
    "event",  # client-care events and their invitations: no interactions
}
PUBLIC_PREFIXES = ("platform-admin/", "static/", "i18n/", "accounts/")
PUBLIC_NAMES = {"login", "logout", "set_language", "healthz", "api-token"}


def _walk(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), (f"{namespace}{entry.name}" if entry.name else None)


def _params(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


def _fill(route: str, kwargs: dict) -> str:
    def sub(match):
        return str(kwargs[match.group(1)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", sub, route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", sub, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _routes():
    seen, out = set(), []
    for route, name in _walk(get_resolver().url_patterns):
        if "<format>" in route or "drf_format_suffix" in route:
            continue
        if name in PUBLIC_NAMES or route.startswith(PUBLIC_PREFIXES):
            continue
        if (route, name) not in seen:
            seen.add((route, name))
            out.append((route, name))
    return out


class Scene:
    """One bank, one key client, one confidential report and what it made."""

    def __init__(self, bank):
        self.bank = bank
        with bank.scope():
            CommunicationSettings.objects.create(digest_hour=0)
            self.client = ClientFactory(
                tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, tier="platinum"
            )
            self.attendee = UserFactory(
                username="a_rm_attendee", tenant=bank.tenant, role=Role.RM, branch=bank.branch
            )
            for person in (bank.rm, bank.branch_head):  # the reminder's and the digest's
                person.email = f"{person.username}@bank.example"
                person.save(update_fields=["email"])
            for rm in (self.attendee, bank.other_rm):  # both can see the client
                assign_perm("view_client", rm, self.client)
            now = timezone.now()
            self.report = services.interaction_log(
                author=bank.rm,
                client=self.client,
                kind="meeting",
                subject="Family stake kanary-7Q",
                summary=f"We will {CANARY}.",
                outcome="The family agreed in principle (kanary-7Q).",
                confidential=True,
                attendees=[self.attendee],
                next_steps=[{"due_at": now - timedelta(hours=2), "note": CANARY}],
            )
            services.interaction_update(
                actor=bank.rm, interaction=self.report, summary=f"edit-7Q: {CANARY}"
            )
            services.interaction_amend(
                actor=self.attendee, interaction=self.report, text=f"amend-7Q {CANARY}"
            )
            self.follow_up = FollowUp.objects.get(interaction=self.report)
            # an open report and an ordinary follow-up, so the walk can show it reads content
            self.open_report = services.interaction_log(
                author=bank.rm, client=self.client, kind="call", subject="Open agenda walk-ok"
            )
            self.plain_follow_up = services.followup_create(
                actor=bank.rm,
                client=self.client,
                assignee=bank.rm,
                due_at=now - timedelta(hours=1),
                note="Send the brochure walk-ok",
            )
            services.followup_update(
                actor=bank.rm, follow_up=self.follow_up, due_at=now - timedelta(hours=3)
            )
        # the beat jobs, as the scheduler runs them (fanned out per tenant): due reminders
        # (in-app and email) and the branch heads' digest; emails go out after commit
        with TestCase.captureOnCommitCallbacks(execute=True):
            tasks.followup_reminders_sweep()
            tasks.overdue_digest_sweep()
        # the nightly KPI snapshot, so the performance drill-downs have numbers to open
        from performance.snapshots import snapshot_run

        with bank.scope():
            snapshot_run()
        # an improvement action on the author's scorecard, linked to the confidential
        # report's follow-up (the scorecard lists linked follow-ups: never their note)
        from performance.periods import current_period
        from performance.services import action_create

        with bank.scope():
            action_create(
                user=bank.admin,
                rm=bank.rm,
                period=current_period(),
                dimension="satisfaction",
                goal="Call back walk-ok",
                due_on=(now + timedelta(days=7)).date(),
                follow_up_ids=[self.follow_up.pk],
            )

    def feed_tokens(self):
        with self.bank.scope():
            return {
                u.pk: services.calendar_token_rotate(user=u)
                for u in (*self.outsiders(), *self.insiders())
            }

    def outsiders(self):
        b = self.bank
        return [b.branch_head, b.admin, b.risk_officer, b.other_rm]

    def insiders(self):
        return [self.attendee, self.bank.rm, self.bank.compliance]

    def notification_of(self, user):
        with self.bank.scope():
            found = Notification.objects.filter(recipient=user).order_by("-id").first()
            if found is None:
                found = Notification.objects.create(recipient=user, title="Nothing secret")
            return found.pk


def _fillers(scene, user):
    by_param = {
        # the drill-down that lists follow-ups (with their notes, behind the wall)
        "measure": "followups_overdue",
        # the scorecard of the confidential report's author (its actions' linked follow-ups)
        "rm_id": scene.bank.rm.pk,
        "client_id": scene.client.pk,
        "interaction_id": scene.report.pk,
        "followup_id": scene.follow_up.pk,
        "notification_id": scene.notification_of(user),
    }
    by_basename = {
        "client": scene.client.pk,
        "interaction": scene.report.pk,
        "followup": scene.follow_up.pk,
        "notification": scene.notification_of(user),
    }
    return by_param, by_basename


# query strings that reach more of the same views (search, the team view, filters)
EXTRA_QUERIES = {
    "communications:followups": [
        "?scope=team",
        "?scope=team&when=overdue",
        "?scope=team&status=open&when=overdue",
    ],
    "clients:list": ["?q=family", "?q=stake"],
    "client-list": ["?search=family", "?search=stake"],
    "followup-list": ["?status=open", "?client={client}"],
    "interaction-list": ["?client={client}"],
    "notification-list": ["?unread=1"],
    # the overdue follow-ups behind the KPI of the report's author, its branch and the bank
    "performance:drill": [
        "?scope=rm&subject={rm}",
        "?scope=branch&subject={branch}",
        "?scope=tenant&subject={tenant}",
    ],
}


def _basename(name: str | None) -> str | None:
    """The router basename of an API route name: the longest known prefix."""
    known = {"client", "interaction", "followup", "notification", *NOT_INTERACTION_BASENAMES}
    found = [b for b in known if name and name.startswith(b + "-")]
    return max(found, key=len) if found else None


def _paths_for(scene, user) -> tuple[list[str], list[str]]:
    """Every GET path of the project for ``user``; and the unfilled routes."""
    by_param, by_basename = _fillers(scene, user)
    paths, unfilled = [], []
    for route, name in _routes():
        params = _params(route)
        if name in NOT_INTERACTION_DATA:
            continue
        if name == "communications:calendar_feed":
            continue  # walked anonymously with the user's own token, below
        kwargs = {}
        for p in params:
            if p in by_param:
                kwargs[p] = by_param[p]
            elif p == "pk" and _basename(name) in by_basename:
                kwargs[p] = by_basename[_basename(name)]
            elif p == "pk" and _basename(name) in NOT_INTERACTION_BASENAMES:
                kwargs = None
                break
            else:
                unfilled.append(f"{name} ({route})")
                break
        else:
            if kwargs is None:
                continue
            base = _fill(route, kwargs)
            paths.append(base)
            for query in EXTRA_QUERIES.get(name, []):
                paths.append(
                    base
                    + query.format(
                        client=scene.client.pk,
                        rm=scene.bank.rm.pk,
                        branch=scene.bank.branch.pk,
                        tenant=scene.bank.tenant.pk,
                    )
                )
    return paths, unfilled


def _get(user, path, web):
    if path.startswith("/api/"):
        api = APIClient()
        api.force_authenticate(user)
        return api.get(path)
    web.force_login(user)
    return web.get(path)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _leaks(text: str) -> list[str]:
    low = text.lower()
    return [w for w in (CANARY, *CANARY_WORDS) if w.lower() in low]


@pytest.fixture
def scene(bank):
    mail.outbox.clear()
    return Scene(bank)


def test_the_walk_reaches_every_url_it_is_taught(scene):
    _paths, unfilled = _paths_for(scene, scene.bank.admin)
    assert unfilled == [], "teach the wall walk these URLs: " + ", ".join(unfilled)


def test_no_email_carries_the_canary(scene):
    assert mail.outbox, "the jobs sent no email: the walk proves nothing about emails"
    for message in mail.outbox:
        assert _leaks(f"{message.subject}\n{message.body}") == [], message.to


def test_no_notification_or_ledger_row_stores_the_canary(scene):
    from communications.models import ReminderDispatch

    with scene.bank.scope():
        rows = [f"{n.title} {n.body}" for n in Notification.objects.all()]
        rows += [f"{d.subject} {d.body}" for d in ReminderDispatch.objects.all()]
    assert rows
    assert [r for r in rows if _leaks(r)] == []


def test_outsiders_never_read_the_canary_anywhere(scene, client, capsys):
    walked, leaks, reached = 0, [], set()
    tokens = scene.feed_tokens()
    for user in scene.outsiders():
        paths, unfilled = _paths_for(scene, user)
        assert unfilled == []
        for path in paths:
            response = _get(user, path, client)
            assert response.status_code < 500, f"{user.role} {path}: {response.status_code}"
            body = _text(response)
            if _leaks(body):
                leaks.append(f"{user.username} {path}: {_leaks(body)}")
            if "walk-ok" in body:
                reached.add(path.split("?")[0])
            walked += 1
        client.logout()
        feed = client.get(f"/calendar/{tokens[user.pk]}.ics")
        assert feed.status_code == 200
        if _leaks(_text(feed)):
            leaks.append(f"{user.username} calendar feed")
        walked += 1
    assert leaks == []
    # the walk read real content, not only empty pages and 404s
    assert {"/follow-ups/", f"/clients/{scene.client.pk}/", "/api/v1/follow-ups/"} <= reached
    per_role = walked // len(scene.outsiders())
    with capsys.disabled():
        print(
            f"\nwall walk: {per_role} endpoints x {len(scene.outsiders())} roles outside the wall"
            f" = {walked} requests, 0 leaks"
        )


def test_insiders_read_the_report_and_its_next_step(scene, client):
    for user in scene.insiders():
        reads = {
            "report page": _text(_get(user, f"/interactions/{scene.report.pk}/", client)),
            "report api": _text(_get(user, f"/api/v1/interactions/{scene.report.pk}/", client)),
            "follow-up api": _text(_get(user, f"/api/v1/follow-ups/{scene.follow_up.pk}/", client)),
            "follow-ups team page": _text(_get(user, "/follow-ups/?scope=team", client)),
        }
        reads["360 timeline"] = _text(
            _get(user, f"/interactions/client/{scene.client.pk}/timeline/", client)
        )
        blind = [where for where, body in reads.items() if CANARY not in body]
        assert blind == [], f"{user.username} cannot read it on: {blind}"
