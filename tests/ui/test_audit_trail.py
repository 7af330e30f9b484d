"""The audit trail page: event names translated, actor and object named with
links, data as key/value, filters, pages, and an audited, formula-safe CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tenancy.audit import audit_record
from tenancy.audit_display import catalogue, data_items
from tenancy.models import AuditEvent
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
URL = "/manage/audit/"
EXPORT = "/manage/audit/export.csv"


def _events(bank, n=1, **kwargs):
    with bank.scope():
        for _ in range(n):
            audit_record(**kwargs)


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-seq="\d+">(.*?)</tr>', html, re.S)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_event_names_are_translated_not_codes(bank, web_for):
    web = web_for(bank.compliance)  # (logging in is an event too)
    _events(bank, action="auth.login", actor=bank.rm, target=bank.rm)
    row = _text(_rows(web.get(URL).content.decode())[0])
    assert "登录" in row and "员工" in row
    assert "auth.login" not in row and "tenancy.user" not in row


def test_actor_and_client_are_named_and_linked(bank, web_for):
    client = ClientFactory(tenant=bank.tenant, branch=bank.branch, name="Zhou Family Office")
    web = web_for(bank.compliance)
    _events(bank, action="client.updated", actor=bank.rm, target=client, data={})
    row = _rows(web.get(URL).content.decode())[0]
    assert f'href="?actor={bank.rm.pk}"' in row and bank.rm.get_full_name() in row
    assert f'href="/clients/{client.pk}/"' in row and "Zhou Family Office" in row
    assert "客户" in row  # the object's kind


def test_data_reads_as_key_value_not_a_python_dict(bank, web_for):
    web = web_for(bank.compliance)
    _events(
        bank,
        action="staff.updated",
        actor=bank.admin,
        target=bank.rm,
        data={
            "role": {"from": "rm", "to": "branch_head"},
            "is_active": {"from": True, "to": False},
        },
    )
    row = _rows(web.get(URL).content.decode())[0]
    assert "<dt>role</dt><dd>rm → branch_head</dd>" in row
    assert "<dt>is active</dt><dd>是 → 否</dd>" in row
    assert "{" not in row and "&#x27;from&#x27;" not in row


def test_data_of_a_confidential_record_shows_only_what_is_there():
    assert data_items({"changes": ["subject", "summary"]}) == [("changes", "subject, summary")]
    assert data_items({"rows": 3, "filters": {"action": "auth.login"}}) == [
        ("rows", "3"),
        ("filters › action", "auth.login"),
    ]
    assert data_items({}) == []


def test_every_audited_action_has_a_name():
    events, _objects = catalogue()
    sources = [
        p
        for app in ("tenancy", "clients", "communications", "risk", "loyalty", "performance")
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts
    ]
    used = set()
    for path in sources:
        text = path.read_text()
        for call in re.finditer(r"audit_record\((.{0,400}?)\)\n", text, re.S):
            used |= set(re.findall(r'"([a-z0-9_]+\.[a-z0-9_]+)"', call.group(1)))
    # auth events written from a variable (login / second-factor failures)
    used |= {"auth.login_failed", "auth.otp_failed"}
    used -= {"clients.client", "tenancy.auditevent"} | set(_objects)  # object types beside actions
    assert used, "no audit_record calls found"
    assert used <= set(events), sorted(used - set(events))


def test_filter_by_actor_event_object_and_dates(bank, web_for):
    client = ClientFactory(tenant=bank.tenant, branch=bank.branch)
    web = web_for(bank.compliance)  # its own login: one more auth.login event
    _events(bank, action="auth.login", actor=bank.rm, target=bank.rm)
    _events(bank, action="auth.login", actor=bank.admin, target=bank.admin)
    _events(bank, action="client.updated", actor=bank.rm, target=client)

    def seqs(**params):
        return re.findall(r'<tr data-seq="(\d+)">', web.get(URL, params).content.decode())

    assert len(seqs(actor=bank.rm.pk)) == 2
    assert len(seqs(action="auth.login")) == 3
    assert len(seqs(actor=bank.rm.pk, action="auth.login")) == 1
    assert len(seqs(object_type="clients.client", object_id=client.pk)) == 1
    today = timezone.localdate()
    assert len(seqs(date_from=today.isoformat(), date_to=today.isoformat())) == 4
    assert seqs(date_to=(today - timedelta(days=1)).isoformat()) == []
    assert seqs(date_from=(today + timedelta(days=1)).isoformat()) == []


def test_a_reversed_date_range_is_400_naming_the_field(bank, web_for):
    r = web_for(bank.compliance).get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert r.status_code == 400 and "截止日期早于起始日期" in r.content.decode()


def test_another_tenants_staff_id_does_not_filter_into_their_trail(bank, other_bank, web_for):
    _events(other_bank, action="auth.login", actor=other_bank.rm, target=other_bank.rm)
    r = web_for(bank.compliance).get(URL, {"actor": other_bank.rm.pk})
    assert r.status_code == 400 and _rows(r.content.decode()) == []


def test_pages_of_fifty_keep_the_filters(bank, web_for):
    web = web_for(bank.compliance)
    _events(bank, 59, action="auth.login", actor=bank.rm, target=bank.rm)  # + compliance's own
    html = web.get(URL, {"action": "auth.login"}).content.decode()
    assert len(_rows(html)) == 50
    assert "action=auth.login&amp;page=2" in html or "action=auth.login&page=2" in html
    assert len(_rows(web.get(URL, {"action": "auth.login", "page": 2}).content.decode())) == 10


@pytest.mark.parametrize("size", [5, 60])
def test_audit_page_query_count_is_flat(bank, web_for, django_assert_max_num_queries, size):
    for _ in range(size):
        client = ClientFactory(tenant=bank.tenant, branch=bank.branch)
        _events(bank, action="client.updated", actor=bank.rm, target=client)
        _events(bank, action="staff.updated", actor=bank.admin, target=bank.rm)
    web = web_for(bank.compliance)
    web.get(URL)
    with django_assert_max_num_queries(18):  # the same at both sizes
        assert web.get(URL).status_code == 200


def test_rm_and_branch_head_may_not_read_or_export_the_trail(bank, web_for):
    for user in (bank.rm, bank.branch_head, bank.risk_officer):
        assert web_for(user).get(URL).status_code == 403
        assert web_for(user).get(EXPORT).status_code == 403


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_export_is_csv_filtered_and_audited(bank, web_for):
    web = web_for(bank.compliance)
    _events(bank, 2, action="auth.login", actor=bank.rm, target=bank.rm)  # + compliance's own
    _events(bank, action="branch.created", actor=bank.admin, target=bank.branch)
    r = web.get(EXPORT, {"action": "auth.login"})
    assert r.status_code == 200 and r.streaming
    assert r["Content-Type"].startswith("text/csv")
    rows = _csv(r)
    assert rows[0][:6] == ["seq", "occurred_at", "actor", "actor_name", "action", "event"]
    assert [row[4] for row in rows[1:]] == ["auth.login"] * 3
    assert rows[1][5] == "登录"
    with bank.scope():
        event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "audit.exported" and event.actor_id == bank.compliance.pk
    assert event.data == {"rows": 3, "filters": {"action": "auth.login"}}


def test_export_neutralises_formulas(bank, web_for):
    client = ClientFactory(tenant=bank.tenant, branch=bank.branch, name='=HYPERLINK("x")')
    _events(bank, action="client.updated", actor=bank.rm, target=client, data={"note": "+1 call"})
    rows = _csv(web_for(bank.compliance).get(EXPORT, {"action": "client.updated"}))
    assert rows[1][8] == '\'=HYPERLINK("x")'  # object name
    assert rows[1][9].startswith("note: +1 call")  # not at the cell's start: harmless
    _events(bank, action="client.updated", actor=bank.rm, target=client, data={"": "-2"})
    rows = _csv(web_for(bank.compliance).get(EXPORT, {"action": "client.updated"}))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)


def test_export_streams_in_chunks(bank, web_for, monkeypatch):
    monkeypatch.setattr("tenancy.audit_export.CHUNK", 2)
    web = web_for(bank.compliance)
    _events(bank, 4, action="auth.login", actor=bank.rm, target=bank.rm)  # + compliance's own
    r = web.get(EXPORT, {"action": "auth.login"})
    chunks = list(r.streaming_content)
    assert len(chunks) == 1 + 3  # header, then 2 + 2 + 1 rows
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    seqs = [int(row[0]) for row in rows[1:]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 5
