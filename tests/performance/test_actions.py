"""Improvement actions: a branch head sets one for an RM of the subtree from
the RM's scorecard (admins for anyone), linked to the RM's open follow-ups;
the RM sees it on their scorecard and marks it done; the next month's
scorecard shows it with its status. Visibility like snapshots, audited,
400 naming the field, 404 outside reach, query counts flat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from performance import periods
from performance.models import ImprovementAction
from tenancy.context import tenant_scope
from tests.communications.factories import make_followup
from tests.factories import UserFactory

from .helpers import make_client, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(bank):
    with tenant_scope(bank.tenant):
        bank.period = periods.current_period()
        bank.due = (periods.today_local() + timedelta(days=10)).isoformat()
    bank.client_a = make_client(bank, name="Client A")
    bank.fu = make_followup(bank.client_a, bank.rm)
    bank.fu_other = make_followup(make_client(bank, manager=bank.other_rm), bank.other_rm)
    bank.far_rm = UserFactory(
        username="a_far_rm", tenant=bank.tenant, role="rm", branch=bank.sibling_branch
    )
    bank.far_head = UserFactory(
        username="a_far_head", tenant=bank.tenant, role="branch_head", branch=bank.sibling_branch
    )
    run(bank)
    return bank


def _set(web, rm, period, **extra):
    data = {"period": period, "dimension": "risk", "goal": "Clear the overdue reviews"}
    data.update(extra)
    return web.post(f"/performance/rm/{rm.pk}/actions/", data)


def _actions(bank):
    with tenant_scope(bank.tenant):
        return list(ImprovementAction.objects.order_by("pk"))


def _events(bank, prefix="performance.action_"):
    from tenancy.models import AuditEvent

    with tenant_scope(bank.tenant):
        return list(
            AuditEvent.objects.filter(action__startswith=prefix)
            .order_by("pk")
            .values_list("action", "actor_id", "object_id")
        )


def test_branch_head_sets_an_action_linked_to_a_follow_up(setup, web_for):
    b = setup
    web = web_for(b.branch_head)
    page = web.get(f"/performance/rm/{b.rm.pk}/")
    assert page.status_code == 200 and 'data-testid="action-form"' in page.content.decode()
    assert [f.pk for f in page.context["open_follow_ups"]] == [b.fu.pk]
    response = _set(web, b.rm, b.period, due_on=b.due, follow_ups=[b.fu.pk])
    assert response.status_code == 302
    [action] = _actions(b)
    assert (action.rm_id, action.set_by_id, action.period, action.status) == (
        b.rm.pk,
        b.branch_head.pk,
        b.period,
        "open",
    )
    with tenant_scope(b.tenant):
        assert [link.follow_up_id for link in action.links.all()] == [b.fu.pk]
    assert _events(b) == [("performance.action_set", b.branch_head.pk, str(action.pk))]
    # the RM sees it on their own scorecard, with the linked follow-up
    mine = web_for(b.rm).get("/performance/")
    [shown] = mine.context["action_lists"][0][1]
    assert shown.pk == action.pk and [f.pk for f in shown.follow_ups] == [b.fu.pk]
    assert "Clear the overdue reviews" in mine.content.decode()
    assert 'data-testid="action-form"' not in mine.content.decode()  # RMs do not set actions


def test_rm_marks_their_action_done_and_the_next_month_shows_it(setup, web_for):
    b = setup
    _set(web_for(b.branch_head), b.rm, b.period, due_on=b.due)
    [action] = _actions(b)
    rm_web = web_for(b.rm)
    # an RM may not drop it, only mark it done
    assert (
        rm_web.post(f"/performance/actions/{action.pk}/", {"status": "dropped"}).status_code == 403
    )
    response = rm_web.post(
        f"/performance/actions/{action.pk}/", {"status": "done", "note": "All reviewed"}
    )
    assert response.status_code == 302
    [action] = _actions(b)
    assert action.status == "done" and action.closed_by_id == b.rm.pk and action.closed_at
    assert action.note == "All reviewed"
    assert ("performance.action_done", b.rm.pk, str(action.pk)) in _events(b)
    # closing twice is refused, naming the field
    again = rm_web.post(f"/performance/actions/{action.pk}/", {"status": "done"})
    assert again.status_code == 400
    assert [e[0] for e in _events(b)].count("performance.action_done") == 1
    # the next month's scorecard lists it under the previous month, with its status
    nxt = periods.shift(b.period, 1)
    with tenant_scope(b.tenant):
        from performance.selectors import scorecard_actions

        found = scorecard_actions(user=b.rm, rm=b.rm, period=nxt)
    assert [a.pk for a in found["previous"]] == [action.pk] and found["current"] == []
    assert found["previous"][0].status == "done"


def test_next_period_page_shows_previous_actions(setup, web_for):
    """A month whose previous month had an action: the page itself lists it."""
    b = setup
    previous = periods.shift(b.period, -1)
    with tenant_scope(b.tenant):
        ImprovementAction.objects.create(
            rm=b.rm,
            set_by=b.branch_head,
            period=previous,
            dimension="loyalty",
            goal="Call the lapsed key clients",
            due_on=periods.today_local(),
            status="done",
            created_at=periods.bounds(previous)[0],
        )
    page = web_for(b.rm).get("/performance/", {"period": b.period})
    html = page.content.decode()
    assert 'data-testid="action-previous"' in html and "Call the lapsed key clients" in html


def test_branch_head_drops_an_action(setup, web_for):
    b = setup
    web = web_for(b.branch_head)
    _set(web, b.rm, b.period, due_on=b.due)
    [action] = _actions(b)
    assert web.post(f"/performance/actions/{action.pk}/", {"status": "dropped"}).status_code == 302
    assert _actions(b)[0].status == "dropped"


def test_bad_input_is_a_400_naming_the_field(setup, web_for):
    b = setup
    web = web_for(b.branch_head)
    with tenant_scope(b.tenant):
        past = (periods.today_local() - timedelta(days=1)).isoformat()
    cases = [
        ({"goal": "", "due_on": b.due}, "goal"),
        ({"dimension": "luck", "due_on": b.due}, "dimension"),
        ({"due_on": "soon"}, "due_on"),
        ({"due_on": past}, "due_on"),
        ({"period": "2026-13", "due_on": b.due}, "period"),
        ({"period": periods.shift(b.period, 1), "due_on": b.due}, "period"),
        # a follow-up of another RM cannot be linked
        ({"due_on": b.due, "follow_ups": [b.fu_other.pk]}, "follow_ups"),
        ({"due_on": b.due, "follow_ups": ["x"]}, "follow_ups"),
    ]
    for extra, field in cases:
        response = _set(web, b.rm, extra.pop("period", b.period), **extra)
        assert response.status_code == 400, extra
        assert field in response.context["form_errors"], (extra, response.context["form_errors"])
    assert _actions(b) == []
    bad = web.post("/performance/actions/999999/", {"status": "done"})
    assert bad.status_code == 404


def test_who_may_set_and_for_whom(setup, web_for):
    b = setup
    # a branch head only for the RMs of their subtree: outside it, 404
    assert _set(web_for(b.far_head), b.rm, b.period, due_on=b.due).status_code == 404
    assert web_for(b.far_head).get(f"/performance/rm/{b.rm.pk}/").status_code == 404
    assert _set(web_for(b.branch_head), b.far_rm, b.period, due_on=b.due).status_code == 404
    # an RM or a risk officer never sets one
    assert _set(web_for(b.rm), b.rm, b.period, due_on=b.due).status_code == 403
    assert _set(web_for(b.risk_officer), b.rm, b.period, due_on=b.due).status_code == 403
    assert _actions(b) == []
    # an admin for anyone
    assert _set(web_for(b.admin), b.far_rm, b.period, due_on=b.due).status_code == 302
    assert [a.rm_id for a in _actions(b)] == [b.far_rm.pk]


def test_visibility_like_snapshots(setup, web_for):
    b = setup
    _set(web_for(b.branch_head), b.rm, b.period, due_on=b.due)
    _set(web_for(b.admin), b.far_rm, b.period, due_on=b.due)
    mine, far = _actions(b)

    def visible(user):
        from performance.selectors import visible_actions

        with tenant_scope(b.tenant):
            return {a.pk for a in visible_actions(user)}

    assert visible(b.rm) == {mine.pk}
    assert visible(b.other_rm) == set()
    assert visible(b.branch_head) == {mine.pk}
    assert visible(b.far_head) == {far.pk}
    for wide in (b.admin, b.risk_officer, b.compliance):
        assert visible(wide) == {mine.pk, far.pk}
    # an RM cannot open a colleague's scorecard nor close a colleague's action
    assert web_for(b.other_rm).get(f"/performance/rm/{b.rm.pk}/").status_code == 404
    closing = web_for(b.other_rm).post(f"/performance/actions/{mine.pk}/", {"status": "done"})
    assert closing.status_code == 404
    # the far branch head cannot close ours
    closing = web_for(b.far_head).post(f"/performance/actions/{mine.pk}/", {"status": "dropped"})
    assert closing.status_code == 404
    # compliance reads it but may not close it
    assert web_for(b.compliance).get(f"/performance/rm/{b.rm.pk}/").status_code == 200
    closing = web_for(b.compliance).post(f"/performance/actions/{mine.pk}/", {"status": "done"})
    assert closing.status_code == 403
    assert _actions(b)[0].status == "open"


def test_other_tenant_gets_404(setup, other_bank, web_for):
    b = setup
    _set(web_for(b.branch_head), b.rm, b.period, due_on=b.due)
    [action] = _actions(b)
    web = web_for(other_bank.admin)
    assert web.get(f"/performance/rm/{b.rm.pk}/").status_code == 404
    assert _set(web, b.rm, b.period, due_on=b.due).status_code == 404
    assert web.post(f"/performance/actions/{action.pk}/", {"status": "done"}).status_code == 404
    assert _actions(b)[0].status == "open"


def test_linked_follow_ups_outside_the_viewers_reach_are_not_listed(setup, web_for):
    """A follow-up the head may read when linking, on a client that moved out
    of the subtree since, is no longer listed to the head."""
    b = setup
    web = web_for(b.branch_head)
    _set(web, b.rm, b.period, due_on=b.due, follow_ups=[b.fu.pk])
    with tenant_scope(b.tenant):
        b.client_a.branch = b.sibling_branch
        b.client_a.dedicated_manager = b.far_rm
        b.client_a.save()
    [shown] = web.get(f"/performance/rm/{b.rm.pk}/").context["action_lists"][0][1]
    assert shown.follow_ups == []


def _many_actions(bank, n):
    clients = [make_client(bank, name=f"C{i}") for i in range(n)]
    fus = [make_followup(c, bank.rm) for c in clients]
    with tenant_scope(bank.tenant):
        for i, fu in enumerate(fus):
            for period in (bank.period, periods.shift(bank.period, -1)):
                a = ImprovementAction.objects.create(
                    rm=bank.rm,
                    set_by=bank.branch_head,
                    period=period,
                    dimension="risk",
                    goal=f"Goal {i}",
                    due_on=periods.today_local(),
                    created_at=periods.bounds(period)[0],
                )
                a.links.create(follow_up=fu, tenant_id=bank.tenant.pk)


def _count(web, url):
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_scorecard_query_count_is_flat(setup, web_for):
    b = setup
    _many_actions(b, 1)
    head, rm = web_for(b.branch_head), web_for(b.rm)
    small = (_count(head, f"/performance/rm/{b.rm.pk}/"), _count(rm, "/performance/"))
    _many_actions(b, 8)
    large = (_count(head, f"/performance/rm/{b.rm.pk}/"), _count(rm, "/performance/"))
    assert large == small


def test_service_refuses_a_head_outside_the_subtree(setup):
    """The service checks the setter itself (the views' 404 is the first wall)."""
    from django.core.exceptions import PermissionDenied

    from performance import services

    b = setup
    with tenant_scope(b.tenant):
        due = periods.today_local() + timedelta(days=3)
        with pytest.raises(PermissionDenied):
            services.action_create(
                user=b.far_head, rm=b.rm, period=b.period, dimension="risk", goal="x", due_on=due
            )
        action = services.action_create(
            user=b.branch_head, rm=b.rm, period=b.period, dimension="risk", goal="x", due_on=due
        )
        with pytest.raises(PermissionDenied):
            services.action_close(user=b.far_head, action=action, status="dropped")
        with pytest.raises(PermissionDenied):
            services.action_close(user=b.other_rm, action=action, status="done")
