import csv
import io

import pytest
from django.urls import reverse

from tenancy.models import AuditEvent
from tests.factories import ClientFactory


def _rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def _clients(bank):
    mine = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        name="Mine",
        national_id="110101199001011234",
        phone="13800138000",
        email="mine@example.com",
    )
    other = ClientFactory(
        tenant=bank.tenant,
        branch=bank.sibling_branch,
        dedicated_manager=bank.other_rm,
        name="Other",
        national_id="110101199001015678",
        phone="13900139000",
    )
    return mine, other


def test_rm_exports_only_visible_clients_with_own_contact_details(bank, other_bank, web_for):
    _clients(bank)
    ClientFactory(
        tenant=other_bank.tenant, branch=other_bank.branch, dedicated_manager=other_bank.rm
    )
    response = web_for(bank.rm).get("/clients/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert [r["name"] for r in rows] == ["Mine"]
    assert rows[0]["national_id"] == "110***********1234"
    assert rows[0]["phone"] == "13800138000" and rows[0]["email"] == "mine@example.com"


def test_export_masks_contact_details_for_non_managers(bank, api_for):
    _clients(bank)
    response = api_for(bank.risk_officer).get("/api/v1/clients/export/")
    rows = {r["name"]: r for r in _rows(response)}
    assert set(rows) == {"Mine", "Other"}
    assert rows["Mine"]["phone"] == "138******00" and rows["Mine"]["email"] == "m***@example.com"
    assert "1234" in rows["Mine"]["national_id"] and "199001" not in rows["Mine"]["national_id"]


def test_export_is_audited_with_the_row_count(bank, api_for):
    _clients(bank)
    _rows(api_for(bank.branch_head).get("/api/v1/clients/export/"))
    with bank.scope():
        event = AuditEvent.objects.get(action="clients.exported")
    assert event.actor_id == bank.branch_head.pk and event.data["rows"] == 1


def test_export_streams_beyond_one_chunk(bank, api_for, monkeypatch):
    from clients import exports

    monkeypatch.setattr(exports, "CHUNK", 3)
    for i in range(7):
        ClientFactory(
            tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, name=f"C{i}"
        )
    rows = _rows(api_for(bank.rm).get("/api/v1/clients/export/"))
    assert len(rows) == 7


def test_formula_like_names_are_neutralised(bank, api_for):
    ClientFactory(
        tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, name="=HYPERLINK(1)"
    )
    rows = _rows(api_for(bank.rm).get("/api/v1/clients/export/"))
    assert rows[0]["name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("role", ["admin", "branch_head", "rm", "risk_officer", "compliance"])
def test_client_list_links_to_the_export_for_every_role_allowed_to_export(bank, client, role):
    user = bank.users()[role]
    client.force_login(user)
    page = client.get(reverse("clients:list"))
    export_url = reverse("clients:export")
    linked = f'href="{export_url}"' in page.content.decode()
    allowed = client.get(export_url).status_code == 200
    assert page.status_code == 200
    assert linked == allowed  # a link only where the export answers, and vice versa
    assert allowed  # today every staff role may export its visible clients (masked)


def test_export_masks_exactly_as_the_screen_and_the_api(bank, api_for):
    """One masking rule (clients.access.client_pii_display): the CSV shows what
    the API shows a non-manager, the address included (nothing of it)."""
    mine, _other = _clients(bank)
    with bank.scope():
        mine.address = "上海市浦东新区世纪大道100号"
        mine.save(update_fields=["address"])
    api = api_for(bank.risk_officer)
    row = {r["name"]: r for r in _rows(api.get("/api/v1/clients/export/"))}["Mine"]
    shown = api.get(f"/api/v1/clients/{mine.pk}/").json()
    for field in ("national_id", "phone", "email", "address"):
        assert row[field] == shown[field], field
    assert row["address"] == "***" and "上海" not in row["address"]


def test_every_text_column_is_neutralised(bank, api_for):
    """CSV injection: a formula prefix in any text cell is defused, the
    personal data columns included (the client's own manager sees them plain)."""
    with bank.scope():
        bank.branch.name = "+Branch"
        bank.branch.save(update_fields=["name"])
    ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        external_id="-EXT1",
        name="\tName",
        phone="+8613800138000",
        email="@evil@example.com",
        address='=HYPERLINK("http://x")',
    )
    row = _rows(api_for(bank.rm).get("/api/v1/clients/export/"))[0]
    for column in ("external_id", "name", "branch", "phone", "email", "address"):
        assert row[column].startswith("'"), column
