from decimal import Decimal

import pytest
from django.db import connection

from clients.imports import import_job_start, import_run
from clients.models import Client, Holding, ImportJob, Transaction
from tenancy.crypto import blind_index
from tenancy.models import AuditEvent

from ..conftest import postgres_only
from .portfolio_helpers import csv_file, make_product, stream

CLIENTS_OK = (
    "external_id,name,kind,branch_code,manager,national_id,phone,email,risk_tolerance,lifecycle,interests\n"
    "CB001,张伟,individual,{branch},{rm},110101199001011234,13800138000,zw@example.com,growth,active,esg;golf\n"
    "CB002,Acme Ltd,corporate,{branch},,91310000MA1FL0001X,021-5555000,,balanced,active,\n"
)


def clients_csv(bank, extra: str = "") -> str:
    return CLIENTS_OK.format(branch=bank.branch.name, rm=bank.rm.username) + extra


def test_dry_run_reports_every_bad_row_and_writes_nothing(bank):
    bad = (
        f"CB003,,individual,{bank.branch.name},,,,,,,\n"  # row 4: name missing
        "CB004,Li,alien,Nowhere,ghost,,abc,not-an-email,reckless,active,\n"  # row 5: five bad fields
        f"CB001,Dup,individual,{bank.branch.name},,,,,,,\n"  # row 6: duplicate of row 2
    )
    with bank.scope():
        report = import_run(
            actor=bank.admin, kind="clients", stream=stream(clients_csv(bank, bad)), dry_run=True
        )
        assert Client.objects.count() == 0
    errors = {(e["row"], e["field"]) for e in report.errors}
    assert errors == {
        (4, "name"),
        (5, "kind"),
        (5, "branch_code"),
        (5, "manager"),
        (5, "phone"),
        (5, "email"),
        (5, "risk_tolerance"),
        (6, "external_id"),
    }
    assert report.rows_total == 5
    assert all(e["message"] for e in report.errors)


def test_dry_run_of_a_good_file_counts_what_would_be_created(bank):
    with bank.scope():
        report = import_run(
            actor=bank.admin, kind="clients", stream=stream(clients_csv(bank)), dry_run=True
        )
        assert Client.objects.count() == 0
    assert report.ok and report.created == 2


def test_real_run_with_one_bad_row_writes_nothing(bank):
    bad = f"CB009,Wang,individual,{bank.branch.name},,,,bad-email,,,\n"
    with bank.scope():
        before = AuditEvent.objects.count()
        report = import_run(
            actor=bank.admin, kind="clients", stream=stream(clients_csv(bank, bad)), dry_run=False
        )
        assert Client.objects.count() == 0
        assert AuditEvent.objects.count() == before
    assert [(e["row"], e["field"]) for e in report.errors] == [(4, "email")]
    assert report.created == 0


def test_real_run_creates_clients_with_encrypted_pii_and_blind_indexes(bank):
    with bank.scope():
        report = import_run(
            actor=bank.admin, kind="clients", stream=stream(clients_csv(bank)), dry_run=False
        )
        assert report.ok and report.created == 2
        client = Client.objects.get(external_id="CB001")
        assert client.dedicated_manager_id == bank.rm.pk
        assert client.interests == ["esg", "golf"]
        assert client.national_id == "110101199001011234"
        assert client.national_id_index == blind_index("110101199001011234")
        assert Client.objects.get(national_id_index=blind_index("110101199001011234")) == client
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT national_id, phone FROM clients_client WHERE id = %s", [client.pk]
            )
            raw_nid, raw_phone = cursor.fetchone()
    assert "110101199001011234" not in raw_nid and "13800138000" not in raw_phone


def test_reimporting_the_same_file_changes_nothing(bank):
    with bank.scope():
        first = import_job_start(
            actor=bank.admin,
            kind="clients",
            upload=csv_file(clients_csv(bank)),
            file_name="c.csv",
            dry_run=False,
        )
        assert first.status == ImportJob.Status.SUCCEEDED and first.rows_created == 2
        rows_before = list(Client.objects.order_by("id").values_list("id", "updated_at", "tier"))
        audit_before = AuditEvent.objects.count()
        again = import_job_start(
            actor=bank.admin,
            kind="clients",
            upload=csv_file(clients_csv(bank)),
            file_name="c.csv",
            dry_run=False,
        )
        assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
        assert (
            list(Client.objects.order_by("id").values_list("id", "updated_at", "tier"))
            == rows_before
        )
        new_events = list(
            AuditEvent.objects.filter(seq__gt=audit_before).values_list("action", flat=True)
        )
    assert new_events == ["clients.import_completed"]


def test_changed_row_is_updated_and_pii_index_follows(bank):
    with bank.scope():
        import_run(
            actor=bank.admin, kind="clients", stream=stream(clients_csv(bank)), dry_run=False
        )
        changed = clients_csv(bank).replace("13800138000", "13900139000")
        report = import_run(actor=bank.admin, kind="clients", stream=stream(changed), dry_run=False)
        client = Client.objects.get(external_id="CB001")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert client.phone == "13900139000" and client.phone_index == blind_index("13900139000")


def test_missing_required_column_is_reported_on_the_header(bank):
    with bank.scope():
        report = import_run(
            actor=bank.admin, kind="clients", stream=stream("external_id,name\nX,Y\n"), dry_run=True
        )
    assert report.errors == [{"row": 1, "field": "header", "message": report.errors[0]["message"]}]
    assert "branch_code" in report.errors[0]["message"]


def test_only_a_tenant_admin_may_import(bank):
    from django.core.exceptions import PermissionDenied

    with bank.scope(), pytest.raises(PermissionDenied):
        import_run(
            actor=bank.branch_head, kind="clients", stream=stream(clients_csv(bank)), dry_run=True
        )


def _import_clients(bank):
    with bank.scope():
        import_run(
            actor=bank.admin, kind="clients", stream=stream(clients_csv(bank)), dry_run=False
        )


def test_holdings_import_derives_aum_exposure_and_tier(bank):
    _import_clients(bank)
    product = make_product(bank.tenant, code="WM1", category="wealth")
    text = (
        "client_external_id,account_number,kind,product_code,balance,currency,opened_on\n"
        "CB001,ACC1,deposit,,400000.00,CNY,2020-01-01\n"
        'CB001,ACC2,,WM1,"100,000.00",USD,\n'
        "CB001,LOAN1,loan,,250000,CNY,\n"
    )
    with bank.scope():
        report = import_run(actor=bank.admin, kind="holdings", stream=stream(text), dry_run=False)
        assert report.ok, report.errors
        client = Client.objects.get(external_id="CB001")
        assert Holding.objects.get(account_number="ACC2").kind == "wealth" == product.category
    assert client.aum == Decimal("1110000.00")  # 400,000 + 100,000 USD × 7.10
    assert client.exposure == Decimal("250000.00")
    assert client.tier == "silver"  # gold needs 6 transactions in 12 months


def test_holdings_with_unknown_client_or_product_are_reported(bank):
    _import_clients(bank)
    text = (
        "client_external_id,account_number,kind,product_code,balance\n"
        "NOPE,A1,deposit,,1\nCB001,A2,,NOPE,1\nCB001,A3,deposit,,-5\n"
    )
    with bank.scope():
        report = import_run(actor=bank.admin, kind="holdings", stream=stream(text), dry_run=True)
    assert {(e["row"], e["field"]) for e in report.errors} == {
        (2, "client_external_id"),
        (3, "product_code"),
        (3, "kind"),
        (4, "balance"),
    }


TX = (
    "external_ref,client_external_id,occurred_at,amount,currency,direction,category,channel\n"
    "T1,CB001,2026-01-05T10:00:00+08:00,100.50,CNY,in,deposit,mobile\n"
    "T2,CB001,2026-01-06 09:30,2000,CNY,out,fund,branch\n"
)


def test_transactions_import_is_idempotent_by_external_reference(bank):
    _import_clients(bank)
    with bank.scope():
        first = import_run(actor=bank.admin, kind="transactions", stream=stream(TX), dry_run=False)
        second = import_run(actor=bank.admin, kind="transactions", stream=stream(TX), dry_run=False)
        assert Transaction.objects.count() == 2
        naive = Transaction.objects.get(external_ref="T2").occurred_at
    assert first.created == 2 and (second.created, second.unchanged) == (0, 2)
    assert naive.utcoffset().total_seconds() == 0 and naive.hour == 1  # 09:30 Shanghai = 01:30 UTC


def test_transactions_with_bad_values_are_reported(bank):
    _import_clients(bank)
    text = TX + "T3,CB001,yesterday,abc,XYZ,sideways,lottery,\n"
    with bank.scope():
        report = import_run(
            actor=bank.admin, kind="transactions", stream=stream(text), dry_run=True
        )
    assert {e["field"] for e in report.errors if e["row"] == 4} == {
        "occurred_at",
        "amount",
        "currency",
        "direction",
        "category",
    }


def test_api_import_dry_run_returns_the_report(bank, api_for):
    body = {
        "kind": "clients",
        "dry_run": "true",
        "file": csv_file(clients_csv(bank, "CB005,,individual,nowhere,,,,,,,\n")),
    }
    response = api_for(bank.admin).post("/api/v1/imports/", body, format="multipart")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["dry_run"] is True and data["status"] == "failed"
    assert {(e["row"], e["field"]) for e in data["errors"]} == {(4, "name"), (4, "branch_code")}
    with bank.scope():
        assert Client.objects.count() == 0


def test_api_confirm_runs_a_successful_dry_run_for_real(bank, api_for):
    api = api_for(bank.admin)
    dry = api.post(
        "/api/v1/imports/",
        {"kind": "clients", "file": csv_file(clients_csv(bank))},
        format="multipart",
    ).json()
    response = api.post(f"/api/v1/imports/{dry['id']}/confirm/")
    assert response.status_code == 201
    assert response.json()["rows_created"] == 2
    with bank.scope():
        assert Client.objects.count() == 2


def test_api_import_by_rm_is_forbidden(bank, api_for):
    response = api_for(bank.rm).post(
        "/api/v1/imports/",
        {"kind": "clients", "file": csv_file(clients_csv(bank))},
        format="multipart",
    )
    assert response.status_code == 403


def test_import_page_dry_run_then_confirm(bank, web_for):
    web = web_for(bank.admin)
    response = web.post(
        "/clients/imports/", {"kind": "clients", "file": csv_file(clients_csv(bank))}
    )
    assert response.status_code == 302
    detail = web.get(response["Location"])
    assert detail.status_code == 200
    with bank.scope():
        job = ImportJob.objects.get()
        assert Client.objects.count() == 0
    confirmed = web.post(f"/clients/imports/{job.pk}/confirm/")
    assert confirmed.status_code == 302
    with bank.scope():
        assert Client.objects.count() == 2


HOLDINGS = (
    "client_external_id,account_number,kind,balance\n"
    "CB001,ACC1,deposit,400000.00\nCB002,ACC2,loan,1000.00\n"
)


def _analyze_statements(bank, *, dry_run: bool) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    _import_clients(bank)
    with bank.scope(), CaptureQueriesContext(connection) as ctx:
        report = import_run(
            actor=bank.admin, kind="holdings", stream=stream(HOLDINGS), dry_run=dry_run
        )
        assert report.ok, report.errors
    return [q["sql"] for q in ctx.captured_queries if "steward_analyze" in q["sql"]]


@postgres_only()  # ANALYZE is PostgreSQL's
def test_a_large_import_refreshes_the_table_statistics_before_recomputing(bank, monkeypatch):
    monkeypatch.setattr("clients.imports.runner.ANALYZE_AFTER_ROWS", 2)
    assert _analyze_statements(bank, dry_run=False) == [
        "SELECT steward_analyze('clients_holding'::regclass)"
    ]


def test_a_small_import_does_not_analyze(bank):
    assert _analyze_statements(bank, dry_run=False) == []


def test_a_dry_run_does_not_analyze(bank, monkeypatch):
    monkeypatch.setattr("clients.imports.runner.ANALYZE_AFTER_ROWS", 2)
    assert _analyze_statements(bank, dry_run=True) == []


def test_backup_manager_equal_to_the_dedicated_manager_is_a_bad_row(bank):
    csv_text = (
        "external_id,name,kind,branch_code,manager,backup_manager\n"
        f"CB100,Zhou,individual,{bank.branch.name},{bank.rm.username},{bank.rm.username}\n"
    )
    with bank.scope():
        report = import_run(actor=bank.admin, kind="clients", stream=stream(csv_text), dry_run=True)
    assert {(e["row"], e["field"]) for e in report.errors} == {(2, "backup_manager")}


HOLDINGS_DPD = (
    "client_external_id,account_number,kind,product_code,balance,days_past_due\n"
    "CB001,LOAN1,loan,,250000,45\n"
    "CB001,LOAN2,loan,,1000,\n"
    "CB001,ACC1,deposit,,400000,0\n"
)


def test_holdings_import_writes_days_past_due_and_reimport_updates_it(bank):
    _import_clients(bank)
    with bank.scope():
        report = import_run(
            actor=bank.admin, kind="holdings", stream=stream(HOLDINGS_DPD), dry_run=False
        )
        assert report.ok, report.errors
        stored = dict(Holding.objects.values_list("account_number", "days_past_due"))
        assert stored == {"LOAN1": 45, "LOAN2": 0, "ACC1": 0}
        again = import_run(
            actor=bank.admin, kind="holdings", stream=stream(HOLDINGS_DPD), dry_run=False
        )
        assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
        later = HOLDINGS_DPD.replace("LOAN1,loan,,250000,45", "LOAN1,loan,,250000,120")
        updated = import_run(actor=bank.admin, kind="holdings", stream=stream(later), dry_run=False)
        assert (updated.updated, updated.unchanged) == (1, 2)
        assert Holding.objects.get(account_number="LOAN1").days_past_due == 120


def test_holdings_import_without_the_column_keeps_days_past_due(bank):
    _import_clients(bank)
    with bank.scope():
        import_run(actor=bank.admin, kind="holdings", stream=stream(HOLDINGS_DPD), dry_run=False)
        text = "client_external_id,account_number,kind,balance\nCB001,LOAN1,loan,250000\n"
        report = import_run(actor=bank.admin, kind="holdings", stream=stream(text), dry_run=False)
        assert report.unchanged == 1
        assert Holding.objects.get(account_number="LOAN1").days_past_due == 45


def test_holdings_days_past_due_bad_values_name_the_column(bank):
    _import_clients(bank)
    text = (
        "client_external_id,account_number,kind,product_code,balance,days_past_due\n"
        "CB001,A1,deposit,,1,5\n"  # row 2: not a loan
        "CB001,A2,loan,,1,-3\n"  # row 3: negative
        "CB001,A3,loan,,1,ten\n"  # row 4: not an integer
        "CB001,A4,loan,,1,1.5\n"  # row 5: not whole
        "CB001,A5,deposit,,1,0\n"  # fine: a deposit at 0
        "CB001,A6,loan,,1,400\n"  # fine
    )
    with bank.scope():
        report = import_run(actor=bank.admin, kind="holdings", stream=stream(text), dry_run=True)
    assert {(e["row"], e["field"]) for e in report.errors} == {
        (2, "days_past_due"),
        (3, "days_past_due"),
        (4, "days_past_due"),
        (5, "days_past_due"),
    }
