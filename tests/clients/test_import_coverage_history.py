"""CSV imports keep the coverage history: every manager change is a CoverageChange
row (who, when, from whom, to whom, why), written in bulk with the import."""

from django.utils import translation

from clients.imports import import_job_start, import_run
from clients.models import CoverageChange
from tenancy.models import AuditEvent

from .portfolio_helpers import csv_file, stream

HEADER = "external_id,name,branch_code,manager,backup_manager\n"


def clients_file(bank, managers: dict[str, tuple[str, str]]) -> str:
    """One row per external id with (dedicated, backup) usernames."""
    rows = "".join(
        f"{ext},Client {ext},{bank.branch.name},{ded},{bak}\n"
        for ext, (ded, bak) in managers.items()
    )
    return HEADER + rows


def five_clients_of_rm(bank) -> dict[str, tuple[str, str]]:
    return {f"H{i}": (bank.rm.username, "") for i in range(5)}


def run(bank, text: str, *, dry_run: bool = False, file_name: str = "core.csv"):
    job = import_job_start(
        actor=bank.admin,
        kind="clients",
        upload=csv_file(text),
        file_name=file_name,
        dry_run=dry_run,
    )
    assert job.error_count == 0, job.errors
    return job


def test_new_clients_get_a_history_row_from_nobody(bank):
    with bank.scope():
        run(
            bank,
            clients_file(bank, {"H1": (bank.rm.username, bank.other_rm.username), "H2": ("", "")}),
        )
        rows = list(
            CoverageChange.objects.order_by("kind").values_list(
                "client__external_id", "kind", "from_user_id", "to_user_id", "changed_by_id"
            )
        )
    assert rows == [
        ("H1", "backup", None, bank.other_rm.pk, bank.admin.pk),
        ("H1", "dedicated", None, bank.rm.pk, bank.admin.pk),
    ]


def test_reimporting_an_unchanged_file_writes_no_history(bank):
    text = clients_file(bank, five_clients_of_rm(bank))
    with bank.scope():
        run(bank, text)
        before = CoverageChange.objects.count()
        again = run(bank, text)
        assert CoverageChange.objects.count() == before
    assert again.rows_unchanged == 5


def test_a_file_moving_three_clients_writes_exactly_three_rows(bank):
    managers = five_clients_of_rm(bank)
    with bank.scope():
        run(bank, clients_file(bank, managers))
        latest = CoverageChange.objects.order_by("-id").values_list("id", flat=True).first()
        for ext in ("H0", "H2", "H4"):
            managers[ext] = (bank.other_rm.username, "")
        with translation.override("en"):
            run(bank, clients_file(bank, managers), file_name="moves.csv")
        rows = list(
            CoverageChange.objects.filter(id__gt=latest).values_list(
                "client__external_id", "kind", "from_user_id", "to_user_id", "reason"
            )
        )
    assert sorted(rows) == [
        (ext, "dedicated", bank.rm.pk, bank.other_rm.pk, "CSV import moves.csv")
        for ext in ("H0", "H2", "H4")
    ]


def test_history_rows_of_one_import_share_time_actor_and_batch(bank):
    managers = five_clients_of_rm(bank)
    with bank.scope():
        run(bank, clients_file(bank, managers))
        latest = CoverageChange.objects.order_by("-id").values_list("id", flat=True).first()
        for ext in managers:
            managers[ext] = (bank.other_rm.username, bank.rm.username)
        run(bank, clients_file(bank, managers))
        rows = list(CoverageChange.objects.filter(id__gt=latest))
    assert sorted((r.kind, r.from_user_id, r.to_user_id) for r in rows) == (
        [("backup", None, bank.rm.pk)] * 5 + [("dedicated", bank.rm.pk, bank.other_rm.pk)] * 5
    )
    assert len({(r.changed_at, r.changed_by_id, r.batch) for r in rows}) == 1
    assert rows[0].batch is not None and rows[0].changed_by_id == bank.admin.pk


def test_dry_run_writes_no_history(bank):
    managers = five_clients_of_rm(bank)
    with bank.scope():
        run(bank, clients_file(bank, managers))
        before = CoverageChange.objects.count()
        for ext in managers:
            managers[ext] = (bank.other_rm.username, "")
        dry = run(bank, clients_file(bank, managers), dry_run=True)
        report = import_run(
            actor=bank.admin,
            kind="clients",
            stream=stream(clients_file(bank, managers)),
            dry_run=True,
        )
        assert CoverageChange.objects.count() == before
    assert dry.rows_updated == 5 and report.updated == 5


def test_a_failed_real_run_writes_no_history(bank):
    managers = five_clients_of_rm(bank)
    with bank.scope():
        run(bank, clients_file(bank, managers))
        before = CoverageChange.objects.count()
        managers["H0"] = (bank.other_rm.username, "")
        managers["H1"] = (bank.risk_officer.username, "")  # not an RM: the whole file is refused
        job = import_job_start(
            actor=bank.admin,
            kind="clients",
            upload=csv_file(clients_file(bank, managers)),
            file_name="bad.csv",
            dry_run=False,
        )
        assert CoverageChange.objects.count() == before
    assert [(e["row"], e["field"]) for e in job.errors] == [(3, "manager")]


def test_the_import_audit_event_counts_the_changes(bank):
    managers = five_clients_of_rm(bank)
    with bank.scope():
        run(bank, clients_file(bank, managers))
        managers["H0"] = (bank.other_rm.username, "")
        managers["H1"] = (bank.rm.username, bank.other_rm.username)
        seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        run(bank, clients_file(bank, managers))
        events = list(AuditEvent.objects.filter(seq__gt=seq))
    assert [e.action for e in events] == ["clients.import_completed"]
    data = events[0].data
    assert (
        data["manager_changes"],
        data["backup_manager_changes"],
        data["coverage_history_rows"],
    ) == (1, 1, 2)
