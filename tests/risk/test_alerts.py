"""Risk alerts through the API and the pages: who sees them, who acknowledges
and who resolves (with a note, audited, the manager told), the desk panel,
the 360° list, exposure's ``open_alerts``, query counts at two sizes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from communications.models import Notification
from risk.models import RiskAlert
from tenancy.context import tenant_scope
from tenancy.models import AuditEvent

from .helpers import make_client

URL = "/api/v1/risk-alerts/"


def make_alert(bank, client, *, kind="past_due", severity="high", status="open"):
    with tenant_scope(bank.tenant):
        return RiskAlert.objects.create(
            client=client,
            kind=kind,
            severity=severity,
            status=status,
            raised_at=timezone.now(),
            detail={"days_past_due": 120, "balance": 5000},
        )


def _state(bank, alert):
    with tenant_scope(bank.tenant):
        return RiskAlert.objects.get(pk=alert.pk)


def test_rms_see_only_their_clients_alerts(bank, api_for):
    mine = make_alert(bank, make_client(bank))
    make_alert(bank, make_client(bank, manager=bank.other_rm))
    r = api_for(bank.rm).get(URL)
    assert r.status_code == 200
    assert [row["id"] for row in r.json()["results"]] == [mine.pk]
    row = r.json()["results"][0]
    assert {"id", "client", "kind", "severity", "status", "raised_at", "note"} <= set(row)
    assert len(api_for(bank.risk_officer).get(URL).json()["results"]) == 2


def test_another_tenants_alert_is_404(bank, other_bank, api_for):
    theirs = make_alert(other_bank, make_client(other_bank))
    api = api_for(bank.risk_officer)
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.patch(f"{URL}{theirs.pk}/", {"status": "resolved", "note": "x"}).status_code == 404
    assert _state(other_bank, theirs).status == "open"
    assert api.get(URL).json()["results"] == []


def test_filters_and_order(bank, api_for):
    c = make_client(bank)
    low = make_alert(bank, c, kind="kyc_overdue", severity="low")
    high = make_alert(bank, c, kind="past_due", severity="high")
    done = make_alert(bank, c, kind="large_outflow", severity="medium", status="resolved")
    api = api_for(bank.risk_officer)
    assert [r["id"] for r in api.get(URL).json()["results"]] == [high.pk, done.pk, low.pk]
    assert [r["id"] for r in api.get(URL, {"status": "current"}).json()["results"]] == [
        high.pk,
        low.pk,
    ]
    assert [r["id"] for r in api.get(URL, {"severity": "low"}).json()["results"]] == [low.pk]
    assert [r["id"] for r in api.get(URL, {"kind": "large_outflow"}).json()["results"]] == [done.pk]
    assert api.get(URL, {"severity": "urgent"}).status_code == 400


def test_the_rm_acknowledges_but_cannot_resolve(bank, api_for):
    alert = make_alert(bank, make_client(bank))
    api = api_for(bank.rm)
    r = api.patch(f"{URL}{alert.pk}/", {"status": "acknowledged", "note": "calling the CFO"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "acknowledged" and r.json()["note"] == "calling the CFO"
    r = api.patch(f"{URL}{alert.pk}/", {"status": "resolved", "note": "paid"}, format="json")
    assert r.status_code == 403
    assert _state(bank, alert).status == "acknowledged"


@pytest.mark.parametrize("role", ["admin", "compliance"])
def test_read_only_roles_cannot_act(bank, api_for, role):
    alert = make_alert(bank, make_client(bank))
    r = api_for(bank.users()[role]).patch(f"{URL}{alert.pk}/", {"status": "acknowledged"})
    assert r.status_code == 403
    assert _state(bank, alert).status == "open"


def test_resolving_needs_a_note_and_is_final(bank, api_for):
    alert = make_alert(bank, make_client(bank))
    api = api_for(bank.risk_officer)
    r = api.patch(f"{URL}{alert.pk}/", {"status": "resolved"}, format="json")
    assert r.status_code == 400 and "note" in r.json()
    r = api.patch(f"{URL}{alert.pk}/", {"status": "resolved", "note": "restructured"})
    assert r.status_code == 200
    body = r.json()
    assert body["resolved_by"] == bank.risk_officer.pk and body["resolved_at"]
    r = api.patch(f"{URL}{alert.pk}/", {"status": "acknowledged"})
    assert r.status_code == 409
    r = api.patch(f"{URL}{alert.pk}/", {"note": "changed my mind"})
    assert r.status_code == 409
    assert _state(bank, alert).note == "restructured"


def test_no_reopening_and_no_put(bank, api_for):
    alert = make_alert(bank, make_client(bank), status="acknowledged")
    api = api_for(bank.risk_officer)
    r = api.patch(f"{URL}{alert.pk}/", {"status": "open"})
    assert r.status_code == 400 and "status" in r.json()
    assert api.put(f"{URL}{alert.pk}/", {"status": "resolved", "note": "x"}).status_code == 405
    assert api.post(URL, {"client": alert.client_id}).status_code == 405
    assert api.patch(f"{URL}{alert.pk}/", {}, format="json").status_code == 400


def test_a_branch_head_resolves_in_the_subtree_only(bank, api_for):
    inside = make_alert(bank, make_client(bank))
    outside = make_alert(bank, make_client(bank, branch=bank.sibling_branch))
    api = api_for(bank.branch_head)
    assert api.patch(f"{URL}{inside.pk}/", {"status": "resolved", "note": "ok"}).status_code == 200
    # the sibling branch is outside the head's subtree: not even visible
    assert api.patch(f"{URL}{outside.pk}/", {"status": "resolved", "note": "ok"}).status_code in (
        403,
        404,
    )
    assert _state(bank, outside).status == "open"


def test_acknowledge_and_resolve_are_audited_and_the_manager_is_told(bank, api_for):
    alert = make_alert(bank, make_client(bank))
    api = api_for(bank.risk_officer)
    api.patch(f"{URL}{alert.pk}/", {"status": "acknowledged"})
    api.patch(f"{URL}{alert.pk}/", {"status": "resolved", "note": "collateral added"})
    with tenant_scope(bank.tenant):
        actions = list(
            AuditEvent.objects.filter(action__startswith="risk.alert_")
            .order_by("pk")
            .values_list("action", "actor_id")
        )
        told = Notification.objects.filter(recipient=bank.rm, url=f"/risk/alerts/{alert.pk}/")
        assert told.count() == 1 and told.get().body == "collateral added"
    assert actions == [
        ("risk.alert_acknowledged", bank.risk_officer.pk),
        ("risk.alert_resolved", bank.risk_officer.pk),
    ]


def test_exposure_counts_open_alerts(bank, api_for):
    c = make_client(bank)
    make_alert(bank, c, kind="past_due")
    make_alert(bank, c, kind="kyc_overdue", status="acknowledged")
    make_alert(bank, c, kind="large_outflow", status="resolved")
    r = api_for(bank.rm).get(f"/api/v1/clients/{c.pk}/exposure/")
    assert r.json()["open_alerts"] == 2


# --- pages -----------------------------------------------------------------------------


def test_the_desk_shows_open_alerts_by_severity(bank, web_for):
    c = make_client(bank, name="Zhang Holdings")
    make_alert(bank, c, severity="high")
    make_alert(bank, c, kind="kyc_overdue", severity="low")
    r = web_for(bank.risk_officer).get(reverse("risk:desk"))
    html = r.content.decode()
    assert 'data-testid="open-alerts"' in html and "Zhang Holdings" in html
    assert r.context["alert_counts"]["high"] == 1 and r.context["alert_counts"]["total"] == 2


def test_the_360_lists_the_clients_open_alerts(bank, web_for):
    c = make_client(bank)
    alert = make_alert(bank, c)
    make_alert(bank, c, kind="kyc_overdue", status="resolved")
    html = web_for(bank.rm).get(reverse("clients:detail", args=[c.pk])).content.decode()
    assert 'data-testid="client-alerts"' in html
    assert f'data-alert="{alert.pk}"' in html and html.count("data-alert=") == 1


def test_the_alert_page_resolves_with_a_note(bank, web_for):
    alert = make_alert(bank, make_client(bank))
    web = web_for(bank.risk_officer)
    page = web.get(reverse("risk:alert_detail", args=[alert.pk]))
    assert 'data-testid="alert-form"' in page.content.decode()
    r = web.post(reverse("risk:alert_update", args=[alert.pk]), {"status": "resolved", "note": ""})
    assert r.status_code == 302 and _state(bank, alert).status == "open"
    r = web.post(
        reverse("risk:alert_update", args=[alert.pk]),
        {"status": "resolved", "note": "paid in full"},
        follow=True,
    )
    assert _state(bank, alert).status == "resolved"
    assert "paid in full" in r.content.decode()


def test_the_rm_page_offers_acknowledge_only(bank, web_for):
    alert = make_alert(bank, make_client(bank))
    html = web_for(bank.rm).get(reverse("risk:alert_detail", args=[alert.pk])).content.decode()
    assert 'value="acknowledged"' in html and 'value="resolved"' not in html


def test_a_circle_shows_only_the_members_the_user_sees(bank, web_for):
    mine = make_client(bank, name="Mine Ltd")
    seen = make_client(bank, name="Seen Ltd")
    hidden = make_client(bank, manager=bank.other_rm, name="Hidden Ltd")
    with tenant_scope(bank.tenant):
        alert = RiskAlert.objects.create(
            client=mine,
            kind="guarantee_circle",
            severity="high",
            raised_at=timezone.now(),
            detail={"members": [mine.pk, seen.pk, hidden.pk]},
        )
    html = web_for(bank.rm).get(reverse("risk:alert_detail", args=[alert.pk])).content.decode()
    assert "Seen Ltd" in html and "Hidden Ltd" not in html
    assert "1 client you do not see" in html or "另有 1 个您无权查看的客户" in html


def test_another_tenants_alert_page_is_404(bank, other_bank, web_for):
    theirs = make_alert(other_bank, make_client(other_bank))
    web = web_for(bank.risk_officer)
    assert web.get(reverse("risk:alert_detail", args=[theirs.pk])).status_code == 404
    r = web.post(
        reverse("risk:alert_update", args=[theirs.pk]), {"status": "resolved", "note": "x"}
    )
    assert r.status_code == 404
    assert _state(other_bank, theirs).status == "open"


@pytest.mark.parametrize("n", [3, 40])
def test_alert_list_page_query_count_is_flat(bank, web_for, django_assert_max_num_queries, n):
    kinds = ["past_due", "kyc_overdue", "large_outflow", "limit_breach"]
    for i in range(n):
        c = make_client(bank)
        make_alert(bank, c, kind=kinds[i % 4], severity=("low", "medium", "high")[i % 3])
    web = web_for(bank.risk_officer)
    with django_assert_max_num_queries(15):  # layout and session ~12, the page 3
        r = web.get(reverse("risk:alerts"))
    assert r.status_code == 200
    assert r.content.decode().count("data-alert=") == n


@pytest.mark.parametrize("n", [3, 40])
def test_alert_api_query_count_is_flat(bank, api_for, django_assert_max_num_queries, n):
    for _ in range(n):
        make_alert(bank, make_client(bank))
    api = api_for(bank.risk_officer)
    with django_assert_max_num_queries(8):
        r = api.get(URL)
    assert r.status_code == 200 and r.json()["count"] == n
