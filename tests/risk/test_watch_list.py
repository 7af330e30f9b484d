"""The watch list (关注名单): who may change it, reasons, one current entry,
audit and notification, proposals, isolation, exposure, pages and their
query counts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from communications.models import Notification
from risk import watchlist
from risk.models import ClientRating, RiskAlert, WatchListEntry
from tenancy.models import AuditEvent

from .helpers import DESK_BUDGET, make_assessment, make_client

URL = "/api/v1/watch-list/"


def _add(bank, client, reason="Arrears"):
    with bank.scope():
        return watchlist.watch_add(user=bank.risk_officer, client=client, reason=reason)


def _alert(bank, client, *, severity="high", status="open", kind="limit_breach"):
    with bank.scope():
        return RiskAlert.objects.create(
            client=client, kind=kind, severity=severity, status=status, raised_at=timezone.now()
        )


def _rate(bank, client, rating):
    a = make_assessment(bank, client, status="approved")
    with bank.scope():
        ClientRating.objects.filter(client=client).update(rating=rating)
    return a


# --- rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rm", "branch_head", "admin", "compliance"])
def test_only_risk_officers_add(bank, api_for, role):
    c = make_client(bank)
    r = api_for(bank.users()[role]).post(URL, {"client": c.pk, "reason": "x"}, format="json")
    assert r.status_code == 403
    with bank.scope():
        assert not WatchListEntry.objects.exists()


def test_risk_officer_adds_with_a_reason_and_it_is_audited(bank, api_for):
    c = make_client(bank, name="Huaxin Trading")
    r = api_for(bank.risk_officer).post(URL, {"client": c.pk, "reason": "Arrears"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["client"], body["client_name"], body["reason"]) == (
        c.pk,
        "Huaxin Trading",
        "Arrears",
    )
    assert body["added_by"] == bank.risk_officer.pk and body["removed_at"] is None
    with bank.scope():
        assert AuditEvent.objects.filter(action="risk.watch_list_added").count() == 1


def test_reason_is_required(bank, api_for):
    c = make_client(bank)
    r = api_for(bank.risk_officer).post(URL, {"client": c.pk, "reason": "  "}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    with bank.scope(), pytest.raises(ValidationError) as exc:
        watchlist.watch_add(user=bank.risk_officer, client=c, reason="")
    assert "reason" in exc.value.message_dict


def test_service_refuses_an_rm(bank):
    c = make_client(bank)
    with bank.scope(), pytest.raises(PermissionDenied):
        watchlist.watch_add(user=bank.rm, client=c, reason="x")


def test_one_current_entry_per_client(bank, api_for):
    c = make_client(bank)
    _add(bank, c)
    r = api_for(bank.risk_officer).post(URL, {"client": c.pk, "reason": "again"}, format="json")
    assert r.status_code == 400 and "client" in r.json()
    with bank.scope():
        assert WatchListEntry.objects.filter(client=c).count() == 1


def test_remove_keeps_the_row_and_allows_a_new_entry(bank, api_for):
    c = make_client(bank)
    e = _add(bank, c)
    api = api_for(bank.risk_officer)
    r = api.post(f"{URL}{e.pk}/remove/", {"reason": "Repaid"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["removal_reason"] == "Repaid" and r.json()["removed_by"] == bank.risk_officer.pk
    assert api.post(f"{URL}{e.pk}/remove/", {"reason": "again"}, format="json").status_code == 400
    assert api.get(URL).json()["results"] == []
    assert len(api.get(URL + "?current=false").json()["results"]) == 1
    assert api.post(URL, {"client": c.pk, "reason": "Back"}, format="json").status_code == 201
    with bank.scope():
        assert AuditEvent.objects.filter(action="risk.watch_list_removed").count() == 1


def test_remove_needs_a_reason_and_a_risk_officer(bank, api_for):
    c = make_client(bank)
    e = _add(bank, c)
    assert api_for(bank.rm).post(f"{URL}{e.pk}/remove/", {"reason": "x"}).status_code == 403
    r = api_for(bank.risk_officer).post(f"{URL}{e.pk}/remove/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()


def test_removing_a_client_not_on_the_list_is_refused(bank):
    c = make_client(bank)
    with bank.scope(), pytest.raises(ValidationError) as exc:
        watchlist.watch_remove(user=bank.risk_officer, client=c, reason="x")
    assert "client" in exc.value.message_dict


def test_the_dedicated_manager_is_notified_in_their_language(bank):
    bank.rm.language = "en"
    bank.rm.save(update_fields=["language"])
    c = make_client(bank, name="Huaxin Trading")
    _add(bank, c, reason="Arrears")
    with bank.scope():
        notes = list(Notification.objects.filter(recipient=bank.rm).values_list("title", "body"))
    assert notes == [("On the watch list: Huaxin Trading", "Arrears")]


# --- proposals -----------------------------------------------------------------------------


def test_proposals_high_alert_and_ccc_rating_not_listed(bank, api_for):
    alerted = make_client(bank, name="A alerted")
    _alert(bank, alerted)
    rated = make_client(bank, name="B rated")
    _rate(bank, rated, "CC")
    fine = make_client(bank, name="C fine")
    _alert(bank, fine, severity="medium")
    _alert(bank, fine, kind="past_due", status="resolved")
    _rate(bank, fine, "B")
    listed = make_client(bank, name="D listed")
    _alert(bank, listed)
    _add(bank, listed)
    r = api_for(bank.risk_officer).get(URL + "proposals/")
    assert r.status_code == 200
    rows = {p["client"]: p for p in r.json()["results"]}
    assert set(rows) == {alerted.pk, rated.pk}
    assert rows[alerted.pk]["reasons"] == ["high_alert"]
    assert rows[alerted.pk]["alert_kind"] == "limit_breach"
    assert rows[rated.pk]["reasons"] == ["rating"] and rows[rated.pk]["rating"] == "CC"


def test_rm_sees_proposals_of_their_clients_only(bank, api_for):
    mine = make_client(bank)
    _alert(bank, mine)
    other = make_client(bank, manager=bank.other_rm)
    _alert(bank, other)
    rows = api_for(bank.rm).get(URL + "proposals/").json()["results"]
    assert [p["client"] for p in rows] == [mine.pk]


def test_watch_grades_fall_back_without_ccc():
    assert watchlist.watch_grades(["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"]) == [
        "CCC",
        "CC",
        "C",
        "D",
    ]
    assert watchlist.watch_grades(["1", "2", "3", "4", "5"]) == ["4", "5"]


# --- isolation -----------------------------------------------------------------------------


def test_another_bank_sees_404(bank, other_bank, api_for):
    c = make_client(bank)
    e = _add(bank, c)
    api = api_for(other_bank.risk_officer)
    assert api.get(f"{URL}{e.pk}/").status_code == 404
    assert api.post(f"{URL}{e.pk}/remove/", {"reason": "x"}).status_code == 404
    assert api.post(URL, {"client": c.pk, "reason": "x"}, format="json").status_code in (400, 404)
    assert api.get(URL).json()["results"] == []


def test_rm_sees_only_their_clients_entries(bank, api_for):
    mine = make_client(bank)
    other = make_client(bank, manager=bank.other_rm)
    _add(bank, mine)
    e_other = _add(bank, other)
    api = api_for(bank.rm)
    assert [e["client"] for e in api.get(URL).json()["results"]] == [mine.pk]
    assert api.get(f"{URL}{e_other.pk}/").status_code == 404


# --- exposure ------------------------------------------------------------------------------


def test_exposure_watch_list_is_the_truth(bank, api_for):
    c = make_client(bank)
    api = api_for(bank.rm)
    assert api.get(f"/api/v1/clients/{c.pk}/exposure/").json()["watch_list"] is False
    _add(bank, c)
    assert api.get(f"/api/v1/clients/{c.pk}/exposure/").json()["watch_list"] is True


# --- pages ---------------------------------------------------------------------------------


def test_risk_officer_adds_from_the_client_page_and_sees_the_badge(bank, web_for):
    c = make_client(bank)
    web = web_for(bank.risk_officer)
    r = web.post(reverse("risk:watch_add", args=[c.pk]), {"reason": "Arrears"})
    assert r.status_code == 302
    html = web.get(reverse("clients:detail", args=[c.pk])).content.decode()
    assert 'data-testid="watch-badge"' in html and "Arrears" in html
    r = web.post(reverse("risk:watch_remove", args=[c.pk]), {"reason": "Repaid"})
    assert r.status_code == 302
    with bank.scope():
        assert not watchlist.is_on_watch_list(c)


def test_rm_cannot_add_from_the_page(bank, web_for):
    c = make_client(bank)
    assert (
        web_for(bank.rm).post(reverse("risk:watch_add", args=[c.pk]), {"reason": "x"}).status_code
        == 403
    )


def test_page_add_without_reason_adds_nothing(bank, web_for):
    c = make_client(bank)
    web_for(bank.risk_officer).post(reverse("risk:watch_add", args=[c.pk]), {"reason": ""})
    with bank.scope():
        assert not watchlist.is_on_watch_list(c)


def test_full_page_lists_and_removes(bank, web_for):
    c = make_client(bank, name="Huaxin Trading")
    _add(bank, c)
    web = web_for(bank.risk_officer)
    html = web.get(reverse("risk:watch_list")).content.decode()
    assert "Huaxin Trading" in html and f'data-testid="watch-remove-{c.pk}"' in html


@pytest.mark.parametrize("n", [3, 30])
def test_desk_watch_panels_query_count_is_flat(bank, web_for, django_assert_max_num_queries, n):
    for i in range(n):
        listed = make_client(bank, name=f"L{i}")
        _add(bank, listed)
        proposed = make_client(bank, name=f"P{i}")
        _alert(bank, proposed)
    web = web_for(bank.risk_officer)
    with django_assert_max_num_queries(DESK_BUDGET):
        r = web.get(reverse("risk:desk"))
    html = r.content.decode()
    assert 'data-testid="watch-list"' in html and 'data-testid="watch-proposals"' in html
    assert html.count("data-proposal=") == min(n, 20)
    assert html.count("data-entry=") == min(n, 20)
