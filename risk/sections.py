"""What risk contributes to pages other apps own: the client 360° risk
section and the "My day" section (the author's assessments and their
outcome). Registered in ``RiskConfig.ready``; each runs a fixed number of
queries (the pages assert their counts)."""

from __future__ import annotations

from clients.access import with_client
from tenancy.models import Role
from tenancy.timezones import user_zone

from . import calendar, policy, selectors, watchlist
from .forms import AssessmentForm, ClassificationForm, GroupLimitForm, WatchListForm, WhatIfForm
from .scale import rating_scale

AUTHORS = (Role.RM, Role.BRANCH_HEAD, Role.RISK_OFFICER)


def client_section_context(request, client) -> dict:
    user = request.user
    # one client's rows carry the instance, not a join of it again (with_client)
    collaterals = with_client(
        selectors.collateral_list(user=user, client=client).select_related(None), client
    )
    alerts = list(selectors.client_alerts(user=user, client=client))
    watch_entry = watchlist.current_entry(client=client)
    exposure = selectors.client_exposure(
        user=user,
        client=client,
        collaterals=collaterals,
        alerts=alerts,
        request=request,
        on_watch_list=watch_entry is not None,
    )
    history, open_rows = selectors.client_assessments(user=user, client=client, limit=10)
    may_assess = policy.can_assess(user, client)
    return {
        "client": client,
        # the newest approval is the current rating (a new approval supersedes)
        "current": history[0] if history else None,
        "history": history,
        "open_assessments": open_rows,
        "collaterals": collaterals,
        "alerts": alerts,
        "exposure": exposure,
        "may_assess": may_assess,
        "may_approve": policy.is_approver_for(user, client),
        "assessment_form": (
            AssessmentForm(grades=[g.code for g in rating_scale()], auto_id="risk_%s")
            if may_assess
            else None
        ),
        "classification_form": (
            ClassificationForm(
                initial={"classification": exposure.classification["classification"]},
                auto_id="cls_%s",
            )
            if may_assess
            else None
        ),
        "what_if_form": WhatIfForm(auto_id="whatif_%s"),
        "watch_entry": watch_entry,
        "may_watch": watchlist.may_edit(user),
        "watch_form": WatchListForm(auto_id="watch_%s"),
        "may_set_limit": policy.can_set_limit(user),
        "group_limit_form": GroupLimitForm(auto_id=False),
        # the client's next due dates: the calendar's first 5 rows for this client
        "next_due": calendar.client_next_due(client=client, collaterals=collaterals),
        "tz": user_zone(user),
    }


def my_day_context(request) -> dict:
    """The author's assessments and their outcome; approvers also get the size
    of their queue (one query each, none for roles that do neither)."""
    user = request.user
    approver = user.role in (Role.RISK_OFFICER, Role.BRANCH_HEAD)
    mine = list(selectors.my_assessments(user=user)[:10]) if user.role in AUTHORS else []
    selectors.with_people(mine, user=user)
    return {
        "mine": mine,
        "queue_count": selectors.approval_queue(user=user).count() if approver else 0,
        "tz": user_zone(user),
    }
