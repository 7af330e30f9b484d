from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from communications.models import FollowUp, Interaction, Notification
from tests.communications.factories import bulk_followups, make_followup, make_interaction
from tests.factories import ClientFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def _log_data(**kw):
    data = {
        "kind": "meeting",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "subject": "Annual review",
        "summary": "Went well",
        "sentiment": "positive",
        "next-TOTAL_FORMS": "2",
        "next-INITIAL_FORMS": "0",
        "next-MIN_NUM_FORMS": "0",
        "next-MAX_NUM_FORMS": "10",
        "next-0-note": "Send proposal",
        "next-0-due_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(kw)
    return data


def test_htmx_log_returns_the_refreshed_section_with_the_new_entry(bank, key_client, web_for):
    web = web_for(bank.rm)
    r = web.post(reverse("communications:client_log", args=[key_client.pk]), _log_data(), **HTMX)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="comms-section"' in body and "Annual review" in body and "<html" not in body
    with bank.scope():
        assert Interaction.objects.count() == 1
        assert FollowUp.objects.get().note == "Send proposal"


def test_plain_post_log_redirects_without_javascript(bank, key_client, web_for):
    r = web_for(bank.rm).post(
        reverse("communications:client_log", args=[key_client.pk]), _log_data()
    )
    assert r.status_code == 302
    with bank.scope():
        assert Interaction.objects.count() == 1


def test_log_form_shows_errors_and_writes_nothing(bank, key_client, web_for):
    r = web_for(bank.rm).post(
        reverse("communications:client_log", args=[key_client.pk]), _log_data(subject="")
    )
    assert r.status_code == 400
    with bank.scope():
        assert not Interaction.objects.exists()


def test_log_page_for_an_invisible_client_is_404(bank, web_for):
    stranger = ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch)
    url = reverse("communications:client_log", args=[stranger.pk])
    assert web_for(bank.rm).get(url).status_code == 404
    assert web_for(bank.rm).post(url, _log_data()).status_code == 404


def test_quick_log_from_my_day(bank, key_client, web_for):
    r = web_for(bank.rm).post(
        reverse("communications:quick_log"),
        {
            "client": key_client.pk,
            "kind": "call",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "subject": "Quick call",
            "sentiment": "neutral",
            "next-TOTAL_FORMS": "0",
            "next-INITIAL_FORMS": "0",
        },
        **HTMX,
    )
    assert r.status_code == 200 and 'id="quick-log"' in r.content.decode()
    with bank.scope():
        assert Interaction.objects.get().subject == "Quick call"


def test_my_days_quick_log_offers_only_the_rms_own_clients(bank, other_bank, key_client, web_for):
    """The quick log's client options are (id, name) rows of ``client_choices``:
    the RM's own clients, not a colleague's, not another bank's."""
    colleagues = ClientFactory(
        tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.other_rm
    )
    foreign = ClientFactory(tenant=other_bank.tenant, branch=other_bank.branch)
    page = web_for(bank.rm).get("/").content.decode()
    select = page.split('name="client"')[1].split("</select>")[0]
    assert f'<option value="{key_client.pk}">{html.escape(key_client.name)}</option>' in select
    assert f'value="{colleagues.pk}"' not in select and f'value="{foreign.pk}"' not in select


def test_quick_log_for_an_invisible_client_is_404(bank, web_for):
    stranger = ClientFactory(tenant=bank.tenant, branch=bank.sibling_branch)
    r = web_for(bank.rm).post(
        reverse("communications:quick_log"), {"client": stranger.pk, "kind": "call", "subject": "x"}
    )
    assert r.status_code == 404


def _planning_warnings(web, client, kind: str, at: str) -> tuple[list[str], str]:
    """The warnings the log form shows for ``kind`` at local time ``at``, and their language."""
    r = web.get(
        reverse("communications:contact_warnings", args=[client.pk]),
        {"kind": kind, "occurred_at": at},
        **HTMX,
    )
    assert r.status_code == 200
    shown = re.findall(r'<p class="warning"[^>]*>⚠ (.*?)</p>', r.content.decode(), re.S)
    return [html.unescape(w).strip() for w in shown], r.headers["Content-Language"]


def _outside_hours(client, time: str) -> str:
    return gettext("%(time)s is outside %(client)s's contact hours (%(start)s–%(end)s).") % {
        "time": time,
        "client": client.name,
        "start": "09:00",
        "end": "18:00",
    }


def _no_consent(client, channel_label: str) -> str:
    return gettext("%(client)s has not consented to marketing contact by %(channel)s.") % {
        "client": client.name,
        "channel": gettext(channel_label),
    }


def test_planning_page_shows_the_contact_hours(bank, key_client, web_for):
    page = web_for(bank.rm).get(reverse("communications:client_log", args=[key_client.pk]))
    assert "09:00–18:00" in page.content.decode()


def test_planning_a_consented_channel_inside_contact_hours_warns_of_nothing(
    bank, key_client, web_for
):
    warnings, _ = _planning_warnings(web_for(bank.rm), key_client, "call", "2026-05-06T10:00")
    assert warnings == []


def test_planning_outside_contact_hours_warns_of_the_hours(bank, key_client, web_for):
    # a phone call: the client consented to phone, so only the hours can warn
    warnings, lang = _planning_warnings(web_for(bank.rm), key_client, "call", "2026-05-06T21:30")
    with translation.override(lang):
        assert warnings == [_outside_hours(key_client, "21:30")]


def test_planning_a_channel_without_consent_warns_of_consent(bank, key_client, web_for):
    # inside contact hours, so only the missing e-mail consent can warn
    warnings, lang = _planning_warnings(web_for(bank.rm), key_client, "email", "2026-05-06T10:00")
    with translation.override(lang):
        assert warnings == [_no_consent(key_client, "Email")]


def test_planning_without_consent_outside_hours_warns_of_both(bank, key_client, web_for):
    warnings, lang = _planning_warnings(web_for(bank.rm), key_client, "email", "2026-05-06T21:30")
    with translation.override(lang):
        assert warnings == [_no_consent(key_client, "Email"), _outside_hours(key_client, "21:30")]


def test_confidential_report_page_is_404_for_a_non_attendee_and_200_for_compliance(
    bank, key_client, web_for
):
    from guardian.shortcuts import assign_perm

    secret = make_interaction(key_client, bank.rm, confidential=True)
    with bank.scope():
        assign_perm("view_client", bank.other_rm, key_client)
    url = reverse("communications:interaction_detail", args=[secret.pk])
    assert web_for(bank.other_rm).get(url).status_code == 404
    assert web_for(bank.compliance).get(url).status_code == 200


def test_edit_after_the_window_shows_the_lock_message(bank, key_client, web_for):
    old = make_interaction(key_client, bank.rm, created_at=timezone.now() - timedelta(days=3))
    r = web_for(bank.rm).post(
        reverse("communications:interaction_edit", args=[old.pk]),
        {
            "kind": "call",
            "occurred_at": "2026-01-01T10:00",
            "subject": "new",
            "sentiment": "neutral",
        },
    )
    assert r.status_code == 400


def test_amendment_is_appended(bank, key_client, web_for):
    old = make_interaction(key_client, bank.rm, created_at=timezone.now() - timedelta(days=3))
    web = web_for(bank.rm)
    r = web.post(
        reverse("communications:interaction_amend", args=[old.pk]), {"text": "Client agreed."}
    )
    assert r.status_code == 302
    assert (
        "Client agreed."
        in web.get(reverse("communications:interaction_detail", args=[old.pk])).content.decode()
    )


def test_my_day_lists_overdue_today_upcoming_and_revisits(bank, key_client, web_for):
    make_followup(
        key_client, bank.rm, due_at=timezone.now() - timedelta(days=1), note="OVERDUE-NOTE"
    )
    make_followup(
        key_client, bank.rm, due_at=timezone.now() + timedelta(days=3), note="UPCOMING-NOTE"
    )
    page = web_for(bank.rm).get("/").content.decode()
    assert "OVERDUE-NOTE" in page and "UPCOMING-NOTE" in page
    assert key_client.name in page  # platinum, never contacted: due for a revisit


def test_follow_up_rows_escape_and_offer_actions_only_to_who_may_change(bank, key_client, web_for):
    """The rows are written in Python (``followup_rows``): names and notes
    escaped, the note cut at 140 characters, the assignee shown on /follow-ups/
    but not on My day, done / snooze only for those allowed (not compliance)."""
    import django.test

    with bank.scope():
        type(key_client).objects.filter(pk=key_client.pk).update(name="<b>Wang & Sons</b>")
    fu = make_followup(
        key_client,
        bank.rm,
        due_at=timezone.now() - timedelta(hours=2),
        note="<script>alert(1)</script>" + "x" * 200,
        kind="revisit",
    )
    my_day = web_for(bank.rm).get("/").content.decode()
    row = my_day.split(f'id="followup-{fu.pk}"')[1].split("</li>")[0]
    assert "&lt;b&gt;Wang &amp; Sons&lt;/b&gt;" in row and "<script>" not in row
    note = row.split('<div class="small">')[1].split("</div>")[0]
    assert note.startswith("&lt;script&gt;alert(1)&lt;/script&gt;xxx"), note
    assert "x" * 115 not in note  # 140 characters with the ellipsis
    assert 'name="status" value="done"' in row and 'name="csrfmiddlewaretoken"' in row
    assert 'class="fu-row overdue"' in my_day and "badge danger" in row
    assert bank.rm.get_full_name() not in row  # compact on My day
    listed = web_for(bank.rm).get(reverse("communications:followups")).content.decode()
    assert bank.rm.get_full_name() in listed.split(f'id="followup-{fu.pk}"')[1].split("</li>")[0]
    compliance = django.test.Client()
    compliance.force_login(bank.compliance)
    seen = compliance.get(reverse("communications:followups") + "?scope=team").content.decode()
    row = seen.split(f'id="followup-{fu.pk}"')[1].split("</li>")[0]
    assert "fu-actions" not in row and 'name="status"' not in row


def test_follow_up_done_with_htmx_returns_the_row(bank, key_client, web_for):
    fu = make_followup(key_client, bank.rm)
    r = web_for(bank.rm).post(
        reverse("communications:followup_status", args=[fu.pk]), {"status": "done"}, **HTMX
    )
    assert r.status_code == 200 and f'id="followup-{fu.pk}"' in r.content.decode()
    with bank.scope():
        assert FollowUp.objects.get(pk=fu.pk).status == "done"


def test_follow_up_snooze_without_javascript_redirects(bank, key_client, web_for):
    fu = make_followup(key_client, bank.rm, due_at=timezone.now() - timedelta(hours=1))
    r = web_for(bank.rm).post(
        reverse("communications:followup_snooze", args=[fu.pk]), {"until": "1w"}
    )
    assert r.status_code == 302
    with bank.scope():
        assert FollowUp.objects.get(pk=fu.pk).due_at > timezone.now() + timedelta(days=6)


def test_follow_up_create_to_another_tenants_user_is_refused(bank, other_bank, key_client, web_for):
    r = web_for(bank.rm).post(
        reverse("communications:followup_create", args=[key_client.pk]),
        {"due_at": "2030-01-01T10:00", "note": "x", "assignee": other_bank.rm.pk},
    )
    assert r.status_code == 400
    with bank.scope():
        assert not FollowUp.objects.exists()


def test_follow_ups_page_lists_mine(bank, key_client, web_for):
    make_followup(key_client, bank.rm, note="MINE")
    page = web_for(bank.rm).get(reverse("communications:followups")).content.decode()
    assert "MINE" in page


def test_notification_centre_and_badge(bank, web_for):
    with bank.scope():
        Notification.objects.create(recipient=bank.rm, title="Follow-up due: X")
    web = web_for(bank.rm)
    assert "Follow-up due: X" in web.get(reverse("communications:notifications")).content.decode()
    badge = web.get(reverse("communications:notification_badge")).content.decode()
    assert ">1<" in badge
    web.post(reverse("communications:notification_read_all"))
    assert (
        "unread-count" not in web.get(reverse("communications:notification_badge")).content.decode()
    )


def test_settings_page_is_for_admins(bank, web_for):
    assert web_for(bank.rm).get(reverse("communications:settings")).status_code == 403
    r = web_for(bank.admin).post(
        reverse("communications:settings"),
        {
            "edit_window_hours": 12,
            "cadence_platinum_days": 20,
            "cadence_gold_days": 45,
            "cadence_silver_days": 80,
            "digest_hour": 7,
        },
    )
    assert r.status_code == 302


# --- query counts at two data sizes ------------------------------------------------------------


@pytest.mark.parametrize("n", [10, 200])
def test_my_day_query_count_is_bounded(bank, web_for, django_assert_max_num_queries, n):
    clients = [
        ClientFactory(
            tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, tier="gold"
        )
        for _ in range(3)
    ]
    for i, c in enumerate(clients):
        bulk_followups(c, bank.rm, n // 3 + 1, due_at=timezone.now() + timedelta(hours=i * 30 - 30))
    web = web_for(bank.rm)
    web.get("/")
    # the whole page: every registered My day section (risk's: one query for an RM)
    # plus one aggregate for the counters (loyalty's: one, the open service recoveries;
    # performance's: one, the RM's scorecard of the month)
    with django_assert_max_num_queries(24):
        assert web.get("/").status_code == 200


@pytest.mark.parametrize("n", [10, 200])
def test_timeline_query_count_is_bounded(
    bank, key_client, web_for, django_assert_max_num_queries, n
):
    from communications.models import Interaction as I

    with bank.scope():
        now = timezone.now()
        I.objects.bulk_create(
            [
                I(
                    tenant_id=bank.tenant.pk,
                    client=key_client,
                    author=bank.rm,
                    subject=f"s{i}",
                    confidential=i % 5 == 0,
                    occurred_at=now - timedelta(hours=i),
                    created_at=now - timedelta(hours=i),
                )
                for i in range(n)
            ]
        )
    bulk_followups(key_client, bank.rm, n // 2, due_at=timezone.now())
    web = web_for(bank.rm)
    with django_assert_max_num_queries(23):
        assert (
            web.get(reverse("communications:client_log", args=[key_client.pk])).status_code == 200
        )
    # one query per timeline source (interactions, surveys, event attendances, ...)
    with django_assert_max_num_queries(19):
        assert (
            web.get(
                reverse("communications:client_timeline", args=[key_client.pk]), **HTMX
            ).status_code
            == 200
        )


def test_timeline_pages_through_every_entry_once_newest_first(bank, key_client, web_for):
    from communications.timeline import Cursor, timeline_page

    same = timezone.now() - timedelta(days=1)
    for i in range(25):
        make_interaction(
            key_client, bank.rm, subject=f"s{i}", occurred_at=same - timedelta(hours=i % 7)
        )
    bulk_followups(key_client, bank.rm, 12, due_at=timezone.now())
    seen, cursor = [], None
    with bank.scope():
        while True:
            page, nxt = timeline_page(user=bank.rm, client=key_client, cursor=cursor, size=10)
            seen.extend(page)
            if nxt is None:
                break
            cursor = Cursor.decode(nxt.encode())
    keys = [e.sort_key for e in seen]
    assert len(keys) == 37 == len(set(keys)) and keys == sorted(keys, reverse=True)


def test_every_staff_page_links_the_notifications_with_their_badge(web_for, bank):
    page = web_for(bank.rm).get("/").content.decode()
    assert 'class="nav-notifications"' in page
    assert reverse("communications:notification_badge") in page


def test_the_360_timeline_leaves_out_confidential_reports_the_reader_may_not_see(
    bank, key_client, web_for
):
    make_interaction(key_client, bank.rm, subject="Portfolio review")
    make_interaction(key_client, bank.rm, subject="Merger talk", confidential=True)
    url = reverse("clients:detail", args=[key_client.pk])
    head_page = web_for(bank.branch_head).get(url).content.decode()
    assert "Portfolio review" in head_page and "Merger talk" not in head_page
    author_page = web_for(bank.rm).get(url).content.decode()
    assert "Portfolio review" in author_page and "Merger talk" in author_page
