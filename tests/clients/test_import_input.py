"""Imports under bad input (issue 8, findings 7 and 8): encodings, the size cap, NUL
bytes, amounts and times the database cannot hold, and stored files that must not
outlive their job."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.imports import import_files_sweep, import_job_start, import_run
from clients.models import Client, Holding, ImportJob, Transaction

from .portfolio_helpers import csv_file, stream
from .test_import import clients_csv

CHINESE = "external_id,name,branch_code\nCB100,张伟,{branch}\nCB101,王芳,{branch}\n"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def stored_files(var_dir: Path) -> list[Path]:
    return sorted((var_dir / "imports").glob("*/*.csv"))


def upload(data: bytes, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post_import(api, data: bytes, **extra):
    body = {"kind": "clients", "file": upload(data), **extra}
    return api.post("/api/v1/imports/", body, format="multipart", HTTP_ACCEPT_LANGUAGE="en")


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "used"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: t.encode("utf-8-sig"), "utf-8"),
        (lambda t: t.encode("gbk"), "gb18030"),
        (lambda t: t.encode("gb18030"), "gb18030"),
    ],
)
def test_utf8_and_gb18030_files_are_detected_and_recorded(bank, api_for, encoded, used):
    data = encoded(CHINESE.format(branch=bank.branch.name))
    response = post_import(api_for(bank.admin), data, dry_run="false")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "succeeded", body["errors"]
    assert body["encoding"] == used and body["encoding_requested"] == "auto"
    with bank.scope():
        assert set(Client.objects.values_list("name", flat=True)) == {"张伟", "王芳"}


def test_the_job_page_says_which_encoding_was_used(bank, api_for, web_for):
    data = CHINESE.format(branch=bank.branch.name).encode("gbk")
    job = post_import(api_for(bank.admin), data).json()
    page = web_for(bank.admin).get(f"/clients/imports/{job['id']}/")
    assert page.status_code == 200
    assert "GB18030" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "offset", "row"),
    [
        ("external_id,name,branch_code\nCB1,Café,X\n".encode("latin-1"), 36, 2),
        ("external_id,name,branch_code\nCB1,x,X\n".encode("utf-16"), 0, 1),
        (
            "external_id,name,branch_code\nCB1,x,X\n".encode("utf-16-be").join([b"\xfe\xff", b""]),
            0,
            1,
        ),
        (b"external_id,name,branch_code\nCB1,ok,X\nCB2,\xff\xfe\xff,X\n", 42, 3),
    ],
    ids=["latin-1", "utf-16-le", "utf-16-be", "undecodable"],
)
def test_other_encodings_are_refused_naming_offset_and_row(bank, api_for, data, offset, row):
    response = post_import(api_for(bank.admin), data, dry_run="false")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "failed" and body["encoding"] == ""
    [error] = body["errors"]
    assert error["field"] == "file" and error["row"] == row
    assert f"byte offset {offset}" in error["message"]
    assert ("UTF-16" in error["message"]) == data.startswith((b"\xff\xfe", b"\xfe\xff"))
    with bank.scope():
        assert Client.objects.count() == 0


def test_the_upload_page_shows_a_wrong_encoding_clearly(bank, web_for):
    web = web_for(bank.admin)
    data = "external_id,name,branch_code\nCB1,x,X\n".encode("utf-16")
    response = web.post("/clients/imports/", {"kind": "clients", "file": upload(data)})
    assert response.status_code == 302
    page = web.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "UTF-16" in page and "UTF-8" in page


def test_a_chosen_encoding_is_used_strictly(bank, api_for):
    data = CHINESE.format(branch=bank.branch.name).encode("gbk")
    body = post_import(api_for(bank.admin), data, encoding="utf-8").json()
    assert body["status"] == "failed" and body["encoding_requested"] == "utf-8"
    assert "UTF-8" in body["errors"][0]["message"]
    body = post_import(api_for(bank.admin), data, encoding="gb18030").json()
    assert body["status"] == "succeeded" and body["encoding"] == "gb18030"


def test_an_unknown_encoding_is_400_naming_it(bank, api_for):
    response = post_import(api_for(bank.admin), b"x", encoding="latin-1")
    assert response.status_code == 400 and "encoding" in response.json()


def test_the_confirmation_reads_the_file_as_the_dry_run_did(bank, api_for):
    api = api_for(bank.admin)
    dry = post_import(api, CHINESE.format(branch=bank.branch.name).encode("gbk")).json()
    real = api.post(f"/api/v1/imports/{dry['id']}/confirm/").json()
    assert real["status"] == "succeeded" and real["encoding"] == "gb18030"


# --- size cap -----------------------------------------------------------------------------


def test_a_file_over_the_cap_is_400_naming_file_and_never_stored(bank, api_for, settings, var_dir):
    settings.IMPORT_MAX_BYTES = 100
    response = post_import(api_for(bank.admin), b"x" * 101)
    assert response.status_code == 400
    assert "file" in response.json() and "100" in response.json()["file"][0]
    assert stored_files(var_dir) == []
    with bank.scope():
        assert not ImportJob.objects.exists()


def test_an_upload_over_the_cap_is_refused_before_it_is_stored(
    bank, api_for, web_for, settings, monkeypatch
):
    settings.IMPORT_MAX_BYTES = 100

    def never(*args, **kwargs):
        raise AssertionError("stored a file over the cap")

    monkeypatch.setattr("clients.imports.runner._store", never)
    assert post_import(api_for(bank.admin), b"x" * 101).status_code == 400
    with bank.scope(), pytest.raises(Exception) as caught:
        import_job_start(
            actor=bank.admin, kind="clients", upload=upload(b"x" * 101), file_name="f.csv"
        )
    assert "file" in caught.value.message_dict


def test_the_upload_page_refuses_a_file_over_the_cap(bank, web_for, settings, var_dir):
    settings.IMPORT_MAX_BYTES = 100
    response = web_for(bank.admin).post(
        "/clients/imports/",
        {"kind": "clients", "file": upload(b"x" * 101)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    [message] = response.context["form"].errors["file"]
    assert message in response.content.decode()
    assert stored_files(var_dir) == []


def test_the_store_stops_at_the_cap_whatever_size_is_claimed(bank, settings, var_dir):
    settings.IMPORT_MAX_BYTES = 100

    class Lying(io.BytesIO):
        size = 10

    from django.core.exceptions import ValidationError

    with bank.scope(), pytest.raises(ValidationError) as caught:
        import_job_start(
            actor=bank.admin, kind="clients", upload=Lying(b"y" * 500), file_name="f.csv"
        )
    assert "file" in caught.value.message_dict
    assert stored_files(var_dir) == []


def test_a_file_at_the_cap_is_accepted(bank, api_for, settings):
    data = CHINESE.format(branch=bank.branch.name).encode()
    settings.IMPORT_MAX_BYTES = len(data)
    assert post_import(api_for(bank.admin), data).json()["status"] == "succeeded"


# --- the stored file does not outlive its job ---------------------------------------------


def test_failed_dry_run_deletes_its_file(bank, api_for, var_dir):
    body = post_import(api_for(bank.admin), b"external_id,name\nX,Y\n").json()
    assert body["status"] == "failed"
    assert stored_files(var_dir) == []


def test_successful_dry_run_keeps_its_file_until_confirmed(bank, api_for, var_dir):
    api = api_for(bank.admin)
    dry = post_import(api, clients_csv(bank).encode()).json()
    assert len(stored_files(var_dir)) == 1
    assert api.post(f"/api/v1/imports/{dry['id']}/confirm/").status_code == 201
    assert stored_files(var_dir) == []
    with bank.scope():
        assert not ImportJob.objects.exclude(stored_path="").exists()
    again = api.post(f"/api/v1/imports/{dry['id']}/confirm/")
    assert again.status_code == 400 and "job" in again.json()


def test_real_runs_delete_their_file_on_success_and_on_failure(bank, api_for, var_dir):
    api = api_for(bank.admin)
    ok = post_import(api, clients_csv(bank).encode(), dry_run="false").json()
    bad = post_import(api, b"external_id,name,branch_code\nX,,Z\n", dry_run="false").json()
    assert ok["status"] == "succeeded" and bad["status"] == "failed"
    assert stored_files(var_dir) == []


def test_a_worker_run_deletes_its_file(bank, var_dir):
    with bank.scope():
        job = import_job_start(
            actor=bank.admin,
            kind="clients",
            upload=io.BytesIO(clients_csv(bank).encode()),
            file_name="f.csv",
            dry_run=False,
            run_async=True,
        )
    # eager Celery ran it after commit? the test transaction never commits: run it here
    from clients.tasks import import_job_process

    import_job_process(job_id=job.pk, tenant_id=bank.tenant.pk)
    with bank.scope():
        job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert stored_files(var_dir) == []


def test_the_sweep_deletes_files_past_the_retention(bank, api_for, settings, var_dir):
    settings.IMPORT_FILE_RETENTION_HOURS = 24
    api = api_for(bank.admin)
    dry = post_import(api, clients_csv(bank).encode()).json()
    fresh = post_import(api, clients_csv(bank).encode()).json()
    old, new = stored_files(var_dir)[0], None
    with bank.scope():
        old = Path(ImportJob.objects.get(pk=dry["id"]).stored_path)
        new = Path(ImportJob.objects.get(pk=fresh["id"]).stored_path)
    past = time.time() - 25 * 3600
    os.utime(old, (past, past))
    assert import_files_sweep() == 1
    assert not old.exists() and new.exists()
    refused = api.post(f"/api/v1/imports/{dry['id']}/confirm/")
    assert refused.status_code == 400 and "job" in refused.json()


def test_the_sweep_is_scheduled_hourly():
    from tenancy.schedules import registered_schedules

    names = {s.task: s for s in registered_schedules()}
    assert names["clients.tasks.import_files_sweep"].every_minutes == 60


# --- what the database would refuse is a bad row in the dry run and the real run -------------


def _both_runs(bank, kind: str, text: str):
    with bank.scope():
        dry = import_run(actor=bank.admin, kind=kind, stream=stream(text), dry_run=True)
        real = import_run(actor=bank.admin, kind=kind, stream=stream(text), dry_run=False)
    return dry, real


def _bad(report) -> set[tuple[int, str]]:
    return {(e["row"], e["field"]) for e in report.errors}


def test_a_nul_byte_in_a_cell_is_the_same_bad_row_in_dry_and_real_runs(bank):
    text = clients_csv(bank) + f"CB009,Nul\x00Name,individual,{bank.branch.name},,,,,,,\n"
    dry, real = _both_runs(bank, "clients", text)
    assert _bad(dry) == _bad(real) == {(4, "name")}
    assert "NUL" in dry.errors[0]["message"]
    with bank.scope():
        assert Client.objects.count() == 0


def test_a_nul_byte_through_the_page_dry_run_fails(bank, web_for):
    web = web_for(bank.admin)
    data = (clients_csv(bank) + f"CB009,x,individual,{bank.branch.name},,,,,,,\x00\n").encode()
    response = web.post("/clients/imports/", {"kind": "clients", "file": csv_file(data.decode())})
    assert response.status_code == 302
    with bank.scope():
        assert ImportJob.objects.get().status == ImportJob.Status.FAILED


def _client_rows(bank):
    text = f"external_id,name,branch_code\nCB001,A,{bank.branch.name}\n"
    with bank.scope():
        import_run(actor=bank.admin, kind="clients", stream=stream(text), dry_run=False)


@pytest.mark.parametrize("balance", ["1e999999", "1E+30", "1000000000000000000", "-1e999999"])
def test_an_absurd_balance_is_a_row_error_naming_balance(bank, balance):
    _client_rows(bank)
    text = f"client_external_id,account_number,kind,balance\nCB001,A1,deposit,{balance}\n"
    dry, real = _both_runs(bank, "holdings", text)
    assert _bad(dry) == _bad(real) == {(2, "balance")}
    with bank.scope():
        assert not Holding.objects.exists()


@pytest.mark.parametrize(
    ("occurred_at", "ok"),
    [
        ("2026-01-05T10:00:00+17:14", True),
        ("2026-01-05T10:00:00-23:59", True),
        ("0001-01-01T00:00:00+23:59", False),
        ("9999-12-31T23:59:59-23:59", False),
    ],
)
def test_transaction_times_with_any_offset_never_crash_the_real_run(bank, occurred_at, ok):
    _client_rows(bank)
    text = (
        "external_ref,client_external_id,occurred_at,amount,direction,category\n"
        f"T1,CB001,{occurred_at},1.00,in,deposit\n"
    )
    dry, real = _both_runs(bank, "transactions", text)
    assert _bad(dry) == _bad(real) == (set() if ok else {(2, "occurred_at")})
    with bank.scope():
        assert Transaction.objects.count() == (1 if ok else 0)
