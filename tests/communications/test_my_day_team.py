"""A branch head's My day: the team at a glance (per RM of their subtree:
overdue, due today, revisits due) with links; counts only, never notes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communications import selectors
from tenancy.models import Role
from tenancy.timezones import tenant_zone
from tests.conftest import postgres_only
from tests.factories import ClientFactory, UserFactory

from .factories import bulk_followups, make_followup, make_interaction

pytestmark = pytest.mark.django_db


def _due_today():
    """A moment later today (tenant time) and still in the future."""
    now = timezone.now()
    _start, end = selectors.local_day_bounds(now, tenant_zone())
    return now + (end - now) / 2


def _row(html: str, rm) -> str:
    match = re.search(rf'<tr data-rm="{rm.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no team row for {rm.username}"
    return match.group(1)


def _count(row: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}"[^>]*>(\d+)<', row).group(1))


def _team_setup(bank):
    client = ClientFactory(
        tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, tier="gold"
    )
    past = timezone.now() - timedelta(days=2)
    make_followup(client, bank.rm, due_at=past)
    make_followup(client, bank.rm, due_at=past, note="Confidential: restructuring talks")
    with bank.scope():
        today = _due_today()
    make_followup(client, bank.rm, due_at=today)
    make_followup(
        client, bank.rm, due_at=timezone.now() + timedelta(days=3)
    )  # upcoming: not counted
    done = make_followup(client, bank.rm, due_at=past)
    with bank.scope():
        done.status = "done"
        done.save()
    # a gold client of other_rm contacted yesterday: no revisit due
    recent = ClientFactory(
        tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.other_rm, tier="gold"
    )
    make_interaction(recent, bank.other_rm)
    with bank.scope():
        recent.last_contacted_at = timezone.now() - timedelta(days=1)
        recent.save()
    return client


def test_branch_head_sees_each_rm_of_the_subtree_with_counts(bank, web_for):
    _team_setup(bank)
    stranger = UserFactory(
        username="a_rm_sibling", tenant=bank.tenant, role=Role.RM, branch=bank.sibling_branch
    )
    html = web_for(bank.branch_head).get("/").content.decode()
    assert 'data-testid="my-day-team"' in html
    rm = _row(html, bank.rm)
    assert (_count(rm, "overdue"), _count(rm, "today"), _count(rm, "revisits")) == (2, 1, 1)
    other = _row(html, bank.other_rm)
    assert (_count(other, "overdue"), _count(other, "today"), _count(other, "revisits")) == (
        0,
        0,
        0,
    )
    assert f'data-rm="{stranger.pk}"' not in html  # another branch's RM is not in the team


def test_team_rows_link_to_the_filtered_pages(bank, web_for):
    _team_setup(bank)
    row = _row(web_for(bank.branch_head).get("/").content.decode(), bank.rm)
    followups = reverse("communications:followups")
    assert f'href="{followups}?scope=team&amp;assignee={bank.rm.pk}&amp;when=overdue"' in row
    assert f'href="{followups}?scope=team&amp;assignee={bank.rm.pk}&amp;when=today"' in row
    clients = reverse("clients:list")
    assert f'href="{clients}?manager={bank.rm.pk}&amp;sort=last_contacted"' in row


def test_team_summary_shows_counts_not_notes(bank, web_for):
    _team_setup(bank)
    html = web_for(bank.branch_head).get("/").content.decode()
    team = html[
        html.index('data-testid="my-day-team"') : html.index(
            "</section>", html.index('data-testid="my-day-team"')
        )
    ]
    assert "restructuring" not in team and "Send the product sheet" not in team


def test_an_rm_has_no_team_summary(bank, web_for):
    _team_setup(bank)
    assert 'data-testid="my-day-team"' not in web_for(bank.rm).get("/").content.decode()


def test_team_counts_only_clients_the_branch_head_may_see(bank):
    # a client of another branch shared with bank.rm: invisible to the branch head
    elsewhere = ClientFactory(
        tenant=bank.tenant, branch=bank.sibling_branch, dedicated_manager=bank.rm
    )
    make_followup(elsewhere, bank.rm, due_at=timezone.now() - timedelta(days=1))
    with bank.scope():
        rows = {r["rm"].pk: r for r in selectors.team_summary(user=bank.branch_head)}
    assert rows[bank.rm.pk]["overdue"] == 0


def test_followups_page_filters_by_assignee(bank, web_for):
    client = _team_setup(bank)
    make_followup(client, bank.other_rm, due_at=timezone.now() - timedelta(days=1), note="other's")
    url = reverse("communications:followups")
    html = (
        web_for(bank.branch_head)
        .get(url, {"scope": "team", "assignee": bank.rm.pk, "when": "overdue"})
        .content.decode()
    )
    assert 'data-testid="assignee-filter"' in html
    assert html.count('class="fu-row') == 2 and "other&#x27;s" not in html


def test_followups_page_with_another_tenants_staff_id_is_404(bank, other_bank, web_for):
    url = reverse("communications:followups")
    r = web_for(bank.branch_head).get(url, {"scope": "team", "assignee": other_bank.rm.pk})
    assert r.status_code == 404


@pytest.mark.parametrize("size", [2, 15])
def test_my_day_team_query_count_is_flat(bank, web_for, django_assert_max_num_queries, size):
    past = timezone.now() - timedelta(days=1)
    for i in range(size):
        rm = UserFactory(
            username=f"a_team_{i}", tenant=bank.tenant, role=Role.RM, branch=bank.branch
        )
        client = ClientFactory(
            tenant=bank.tenant, branch=bank.branch, dedicated_manager=rm, tier="platinum"
        )
        bulk_followups(client, rm, 3, due_at=past)
    web = web_for(bank.branch_head)
    web.get("/")
    # the same at both sizes (risk's My day section: two queries for an approver;
    # loyalty's: one, the open service recoveries)
    with django_assert_max_num_queries(28):
        html = web.get("/").content.decode()
    assert html.count('<tr data-rm="') == size + 2  # rm and other_rm too


@postgres_only()
def test_the_team_revisit_count_is_covered_by_its_index(bank):
    """The count per RM must be answerable from the index ``client_team_revisit``
    alone (branch, manager; tier, last contact, lifecycle, id included): at
    14,000 clients in a branch, a heap fetch per client made it 19 ms, the
    index-only scan 3 ms (docs/BENCHMARKS.md). Which plan PostgreSQL picks
    depends on statistics the tests cannot make, so this checks what it needs:
    the index exists and every clients column the query reads is in it."""
    from django.db import connection

    ClientFactory(branch=bank.branch, dedicated_manager=bank.rm, tier="platinum")
    with bank.scope():
        qs = selectors.team_revisit_counts(
            user=bank.branch_head, rm_ids=[bank.rm.pk, bank.other_rm.pk], now=timezone.now()
        )
        sql, _params = qs.query.sql_with_params()
        assert dict(qs) == {bank.rm.pk: 1}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_indexdef(indexrelid) FROM pg_index"
                " WHERE indexrelid = 'client_team_revisit'::regclass"
            )
            (definition,) = cursor.fetchone()
    covered = set(re.findall(r"\w+", definition.split("USING btree", 1)[1]))
    read = set(re.findall(r'"clients_client"\."(\w+)"', sql))
    assert read and read <= covered, read - covered


def test_my_day_lists_stop_at_their_limit_each_in_due_order(bank):
    """The three lists are cut from one read of ids and due times: each holds its own
    first ``limit`` rows in due order, a long overdue list takes no place from
    today's or the week's, and nothing past the week or not open is listed."""
    now = timezone.now()
    with bank.scope():
        _start, end_of_today = selectors.local_day_bounds(now, tenant_zone())
        due_today = _due_today()
    client = ClientFactory(branch=bank.branch, dedicated_manager=bank.rm)
    overdue = [
        make_followup(client, bank.rm, due_at=now - timedelta(days=30 - i)) for i in range(5)
    ]
    today = [
        make_followup(client, bank.rm, due_at=due_today + timedelta(seconds=i)) for i in range(2)
    ]
    week = [
        make_followup(client, bank.rm, due_at=end_of_today + timedelta(days=1, hours=i))
        for i in range(4)
    ]
    make_followup(client, bank.rm, due_at=end_of_today + timedelta(days=8))  # past the week
    make_followup(client, bank.rm, due_at=now - timedelta(days=90), status="done")
    make_followup(client, bank.other_rm, due_at=now - timedelta(days=1))  # not mine
    with bank.scope():
        lists = selectors.my_followups(user=bank.rm, now=now, limit=3)
        counted = selectors.my_followup_counts(user=bank.rm, now=now)
    # the counters ride on the rows: each list's length before the cut at 3
    assert lists.pop("counts") == counted == {"overdue": 5, "today": 2, "upcoming": 4}
    ids = {k: [f.pk for f in v] for k, v in lists.items()}
    assert ids == {
        "overdue": [f.pk for f in overdue[:3]],
        "today": [f.pk for f in today],
        "upcoming": [f.pk for f in week[:3]],
    }


def test_my_day_lists_and_counts_only_follow_ups_on_clients_the_user_sees(bank):
    """A follow-up still assigned to the RM on a client that has since gone to
    a colleague (not shared back) is neither listed nor counted: the ids and
    due times the lists are cut from are read behind the access policy."""
    now = timezone.now()
    mine = ClientFactory(branch=bank.branch, dedicated_manager=bank.rm)
    gone = ClientFactory(branch=bank.branch, dedicated_manager=bank.other_rm)
    shown = make_followup(mine, bank.rm, due_at=now - timedelta(days=2))
    make_followup(gone, bank.rm, due_at=now - timedelta(days=1))
    make_followup(gone, bank.rm, due_at=now + timedelta(days=2))
    with bank.scope():
        lists = selectors.my_followups(user=bank.rm, now=now)
        counted = selectors.my_followup_counts(user=bank.rm, now=now)
    assert lists.pop("counts") == counted == {"overdue": 1, "today": 0, "upcoming": 0}
    assert {k: [f.pk for f in v] for k, v in lists.items()} == {
        "overdue": [shown.pk],
        "today": [],
        "upcoming": [],
    }
