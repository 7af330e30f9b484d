"""The event pages: list, event page (invitations of visible clients,
suggestions, invite), create and edit, check-in; query counts flat at two
sizes (list, event page, check-in page, the 360° events section)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from loyalty.models import Event, EventInvitation
from tenancy.context import tenant_scope

from .event_helpers import invite, make_client, make_event, move_start, rsvp

pytestmark = pytest.mark.django_db

PAGE_BUDGET = (
    20  # framework ~8 (session, user, scope, tenant, savepoints) + the page: flat in data size
)
SECTION_BUDGET = 47  # the whole 360° page (clients, communications, risk, surveys, points: 45) + the events section (1) and the timeline's attendances (1)


def test_the_list_shows_upcoming_and_past_with_seats(bank, web_for):
    soon = make_event(bank, title="Soon salon", capacity=4)
    (inv,) = invite(bank, soon, make_client(bank))
    rsvp(bank, inv, "yes")
    old = make_event(bank, title="Old lecture")
    move_start(bank, old, timezone.now() - timedelta(days=3))
    web = web_for(bank.rm)
    html = web.get(reverse("loyalty:events")).content.decode()
    assert "Soon salon" in html and "Old lecture" not in html and "1 / 4" in html
    html = web.get(reverse("loyalty:events"), {"when": "past"}).content.decode()
    assert "Old lecture" in html and "Soon salon" not in html


def test_rms_reach_events_from_my_day(bank, web_for):
    html = web_for(bank.rm).get("/").content.decode()
    assert reverse("loyalty:events") in html


def test_the_event_page_shows_only_visible_clients_invitations(bank, web_for):
    event = make_event(bank)
    mine, theirs = (
        make_client(bank, name="Mine Ltd"),
        make_client(bank, manager=bank.other_rm, name="Theirs Ltd"),
    )
    invite(bank, event, mine, theirs, user=bank.admin)
    html = web_for(bank.rm).get(reverse("loyalty:event", args=[event.pk])).content.decode()
    assert "Mine Ltd" in html and "Theirs Ltd" not in html


def test_invite_the_selected_suggestions_in_one_post(bank, web_for):
    event = make_event(bank, target_interests=["esg"])
    a = make_client(bank, interests=["esg"], name="Esg One")
    b = make_client(bank, interests=["esg"], name="Esg Two")
    web = web_for(bank.rm)
    html = web.get(reverse("loyalty:event", args=[event.pk])).content.decode()
    assert f'data-suggested="{a.pk}"' in html and f'data-suggested="{b.pk}"' in html
    r = web.post(reverse("loyalty:event_invite", args=[event.pk]), {"clients": [a.pk, b.pk]})
    assert r.status_code == 302
    with tenant_scope(bank.tenant):
        assert set(EventInvitation.objects.values_list("client_id", flat=True)) == {a.pk, b.pk}
    html = web.get(reverse("loyalty:event", args=[event.pk])).content.decode()
    assert "data-suggested=" not in html


def test_create_and_edit_pages(bank, web_for):
    web = web_for(bank.branch_head)
    data = {
        "title": "Tax lecture",
        "kind": "lecture",
        "starts_at": (timezone.localtime() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
        "location": "3F",
        "capacity": 30,
        "target_tiers": ["gold"],
        "reminder_hours": 24,
    }
    r = web.post(reverse("loyalty:event_create"), data)
    assert r.status_code == 302
    with tenant_scope(bank.tenant):
        event = Event.objects.get()
    assert event.target_tiers == ["gold"] and event.created_by_id == bank.branch_head.pk
    r = web.post(reverse("loyalty:event_edit", args=[event.pk]), {**data, "capacity": 0})
    assert r.status_code == 400 and "capacity" in r.context["form"].errors
    assert (
        web.post(
            reverse("loyalty:event_edit", args=[event.pk]), {**data, "capacity": 40}
        ).status_code
        == 302
    )
    assert web_for(bank.rm).get(reverse("loyalty:event_create")).status_code == 403


def _populate(bank, n):
    events = [make_event(bank, capacity=n, title=f"E{i}") for i in range(3)]
    clients = [make_client(bank, interests=["esg"], tier="gold") for _ in range(n)]
    invs = invite(bank, events[0], *clients[: n // 2])
    for inv in invs:
        rsvp(bank, inv, "yes")
    return events, clients, invs


@pytest.mark.parametrize("n", [3, 30])
def test_event_pages_query_counts_are_flat(bank, web_for, django_assert_max_num_queries, n):
    events, _clients, _invs = _populate(bank, n)
    web = web_for(bank.rm)
    for url in (reverse("loyalty:events"), reverse("loyalty:event", args=[events[0].pk])):
        web.get(url)
        with django_assert_max_num_queries(PAGE_BUDGET):
            assert web.get(url).status_code == 200
    move_start(bank, events[0], timezone.now() - timedelta(minutes=5))
    url = reverse("loyalty:event_check_in", args=[events[0].pk])
    with django_assert_max_num_queries(PAGE_BUDGET):
        r = web.get(url)
    assert r.status_code == 200 and r.content.decode().count('data-testid="check-in"') == n // 2


@pytest.mark.parametrize("n", [3, 30])
def test_360_events_section_query_count_is_flat(bank, web_for, django_assert_max_num_queries, n):
    c = make_client(bank)
    for i in range(n):
        event = make_event(bank, title=f"E{i}")
        with tenant_scope(bank.tenant):
            EventInvitation.objects.create(
                event=event,
                client=c,
                channel="link",
                invited_at=timezone.now() - timedelta(days=200 + i),
                status="attended" if i % 2 else "declined",
                attended_at=timezone.now() - timedelta(days=100 + i) if i % 2 else None,
            )
    web = web_for(bank.rm)
    url = reverse("clients:detail", args=[c.pk])
    web.get(url)
    with django_assert_max_num_queries(SECTION_BUDGET):
        r = web.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and html.count("data-event-invitation=") == min(n, 10)
    assert f'data-invited="{n}" data-attended="{n // 2}"' in html


def test_suggestions_are_paged_by_25(bank, web_for):
    event = make_event(bank, target_interests=["golf"])
    for _ in range(27):
        make_client(bank, interests=["golf"])
    web = web_for(bank.rm)
    url = reverse("loyalty:event", args=[event.pk])
    first = web.get(url).content.decode()
    assert first.count("data-suggested=") == 25 and "suggestions-next" in first
    second = web.get(url, {"page": 2}).content.decode()
    assert second.count("data-suggested=") == 2 and "suggestions-next" not in second
    assert web.get(url, {"page": "x"}).status_code == 200


def test_read_only_roles_do_not_get_the_clients_rsvp_links(bank, web_for):
    event = make_event(bank)
    invite(bank, event, make_client(bank))
    url = reverse("loyalty:event", args=[event.pk])
    assert "/e/" in web_for(bank.rm).get(url).content.decode()
    for user in (bank.compliance, bank.risk_officer):
        html = web_for(user).get(url).content.decode()
        assert "data-invitation=" in html and "/e/" not in html


def test_a_new_event_starts_in_the_future(bank):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        make_event(bank, starts_in=timedelta(hours=-1))
    assert "starts_at" in err.value.message_dict
