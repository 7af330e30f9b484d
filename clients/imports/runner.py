"""Running an import: one file in one transaction, batch by batch; jobs that store the
upload, run it (a dry run at once, a large real run on the worker) and delete the file
as soon as no step needs it."""

from __future__ import annotations

import csv
import io
import logging
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy.audit import audit_record
from tenancy.context import require_tenant_id
from tenancy.models import Role
from tenancy.rls import analyze_tables
from tenancy.schedules import enqueue_after_commit

from ..models import Client, ImportJob
from .kinds import HANDLERS, _Handler
from .reading import AUTO, check_size, csv_rows, detect_encoding, max_bytes, too_large_message
from .rows import BATCH, MAX_ERRORS_STORED, ImportReport, _Rollback, _Row

logger = logging.getLogger(__name__)


def _process_batch(handler: _Handler, batch: list[tuple[int, _Row, dict]], *, write: bool) -> None:
    report = handler.report
    handler.resolve(batch)
    good = []
    for n, row, values in batch:
        if not row.errors:
            key = handler.key_of(values)
            if key in handler.seen:
                row.errors.append(
                    (handler.required_columns[0], _("Duplicate of an earlier row in this file."))
                )
            else:
                handler.seen.add(key)
                good.append((n, values))
        for col, message in row.errors:
            if len(report.errors) < MAX_ERRORS_STORED:
                report.errors.append({"row": n, "field": col, "message": str(message)})
    if not good:
        return
    existing = handler.existing([handler.key_of(v) for _n, v in good])
    handler.batch_start()
    to_create, to_update, update_fields = [], [], set()
    for _n, values in good:
        obj = existing.get(handler.key_of(values))
        if obj is None:
            to_create.append(handler.build(values))
            continue
        changed = handler.diff(obj, values)
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(obj, name, values[name])
        update_fields.update(changed)
        to_update.append(obj)
    report.created += len(to_create)
    report.updated += len(to_update)
    if not write or report.errors:
        return  # dry run, or the file is already known bad: keep validating, write nothing
    if to_create:
        handler.model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        fields = sorted(update_fields)
        if handler.model is Client:
            fields.append("updated_at")
            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now
        handler.model.objects.bulk_update(to_update, fields, batch_size=500)
    handler.batch_written(to_create, to_update)
    for obj in (*to_create, *to_update):
        report.touched_client_ids.add(obj.pk if handler.model is Client else obj.client_id)


ANALYZE_AFTER_ROWS = 10_000


def _refresh_statistics(model, *, written: int) -> None:
    """ANALYZE the table a large import just wrote, inside the import's transaction
    (ANALYZE counts the transaction's own new rows), before the recomputations that
    follow read it. Autovacuum cannot see uncommitted rows: with the old statistics
    a tenant's first 200,000 holdings look like none, and the AUM update picked a
    plan that scanned all of them once per client (quadratic: many minutes)."""
    if written < ANALYZE_AFTER_ROWS:
        return
    analyze_tables(model._meta.db_table)


def import_run(
    *,
    actor,
    kind: str,
    stream,
    dry_run: bool,
    file_name: str = "",
    encoding: str = AUTO,
) -> ImportReport:
    """Validate (and unless ``dry_run``, write) one CSV file of ``kind``.

    ``stream`` is binary (seekable: the encoding is detected by reading it once,
    ``encoding`` is ``auto``, ``utf-8`` or ``gb18030``) or text. The encoding used is
    ``report.encoding``; a file in any other encoding is one error naming the byte
    offset and row, and nothing else is read. Returns the report; raises
    PermissionDenied for anyone but a tenant admin and ValidationError for an unknown
    kind. A real run that finds a bad row writes nothing (everything is rolled back)."""
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may import data."))
    if kind not in HANDLERS:
        raise ValidationError({"kind": _("Unknown import kind.")})
    report = ImportReport(kind=kind, dry_run=dry_run)
    if isinstance(stream, io.TextIOBase):
        report.encoding = ""
    else:
        report.encoding, problem = detect_encoding(stream, encoding)
        if problem is not None:
            report.errors.append({"row": problem.row, "field": "file", "message": problem.message})
            return report
    try:
        with transaction.atomic():
            handler = HANDLERS[kind](report, actor=actor, file_name=file_name)
            try:
                header, reader = csv_rows(stream, report.encoding)
            except (UnicodeDecodeError, csv.Error) as exc:
                report.errors.append(_unreadable(1, exc))
                raise _Rollback from exc
            missing = [c for c in handler.required_columns if c not in header]
            if missing:
                report.errors.append(
                    {
                        "row": 1,
                        "field": "header",
                        "message": str(
                            _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}
                        ),
                    }
                )
                raise _Rollback
            columns = set(header)
            batch: list = []
            try:
                for n, raw in enumerate(reader, start=2):
                    report.rows_total += 1
                    row = _Row(raw, columns)
                    if None in raw:
                        row.errors.append(("row", _("More values than columns.")))
                    batch.append((n, row, handler.parse(row)))
                    if len(batch) >= BATCH:
                        _process_batch(handler, batch, write=not dry_run)
                        batch = []
                if batch:
                    _process_batch(handler, batch, write=not dry_run)
            except (UnicodeDecodeError, csv.Error) as exc:
                report.errors.append(_unreadable(report.rows_total + 1, exc))
            if dry_run or report.errors:
                raise _Rollback
            _refresh_statistics(handler.model, written=report.created + report.updated)
            handler.after_write(actor)
    except _Rollback:
        pass
    if not dry_run and report.errors:
        report.created = report.updated = report.unchanged = 0
        report.touched_client_ids = set()
    return report


def _unreadable(row: int, exc: Exception) -> dict:
    return {
        "row": row,
        "field": "file",
        "message": str(_("Unreadable CSV: %(error)s") % {"error": exc}),
    }


def import_job_run(*, actor, job: ImportJob, stream) -> ImportJob:
    """Run ``job`` over ``stream`` and record the outcome on it; a real run
    writes one audit event (``clients.import_completed`` or ``clients.import_failed``)."""
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    report = import_run(
        actor=actor,
        kind=job.kind,
        stream=stream,
        dry_run=job.dry_run,
        file_name=job.file_name,
        encoding=job.encoding_requested or AUTO,
    )
    job.encoding = report.encoding or ""
    job.rows_total = report.rows_total
    job.rows_created, job.rows_updated, job.rows_unchanged = (
        report.created,
        report.updated,
        report.unchanged,
    )
    job.error_count = len(report.errors)
    job.errors = report.errors
    job.status = ImportJob.Status.SUCCEEDED if report.ok else ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.save()
    if not job.dry_run:
        audit_record(
            action="clients.import_completed" if report.ok else "clients.import_failed",
            actor=actor,
            target=job,
            data={
                "kind": job.kind,
                "file": job.file_name,
                "rows": report.rows_total,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "errors": job.error_count,
                "encoding": job.encoding,
                **report.extra,
            },
        )
    return job


# --- jobs: stored upload, dry run first, then confirm --------------------------------------------

ASYNC_BYTES = 2_000_000  # real runs of larger files go to the worker


def imports_folder() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _store(upload, tenant_id: int) -> Path:
    """Copy the upload under var/imports/<tenant>/, refusing (400 naming ``file``) once it
    passes ``IMPORT_MAX_BYTES``, whatever size it claimed."""
    folder = imports_folder() / str(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.csv"
    limit, written = max_bytes(), 0
    try:
        with path.open("wb") as out:
            for chunk in (
                upload.chunks()
                if hasattr(upload, "chunks")
                else iter(lambda: upload.read(1 << 20), b"")
            ):
                written += len(chunk)
                if written > limit:
                    raise ValidationError({"file": too_large_message()})
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _discard_file(job: ImportJob) -> None:
    """Delete the job's stored file (personal data) and forget its path, on every job
    that shares it (a dry run and its confirmation)."""
    if not job.stored_path:
        return
    Path(job.stored_path).unlink(missing_ok=True)
    ImportJob.objects.filter(stored_path=job.stored_path).update(stored_path="")
    job.stored_path = ""


def import_job_finished(job: ImportJob) -> None:
    """A finished job's file is deleted unless it is a dry run without errors (its
    confirmation reads the same file; the retention sweep deletes it if that never comes)."""
    if job.dry_run and job.status == ImportJob.Status.SUCCEEDED:
        return
    _discard_file(job)


def import_job_start(
    *,
    actor,
    kind: str,
    upload,
    file_name: str,
    dry_run: bool = True,
    run_async: bool | None = None,
    encoding: str = AUTO,
) -> ImportJob:
    """Store an uploaded CSV and run it: a dry run at once; a real run at once
    for small files, on the worker (after commit) for large ones, in which case
    the job is returned ``pending``. ``encoding``: ``auto`` (UTF-8, else GB18030),
    ``utf-8`` or ``gb18030``. A file over ``IMPORT_MAX_BYTES`` is a ValidationError
    naming ``file`` and is never stored."""
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may import data."))
    if kind not in HANDLERS:
        raise ValidationError({"kind": _("Unknown import kind.")})
    if encoding not in ImportJob.Encoding.values:
        raise ValidationError({"encoding": _("Unknown encoding.")})
    check_size(upload)
    tenant_id = require_tenant_id()
    path = _store(upload, tenant_id)
    job = ImportJob.objects.create(
        tenant_id=tenant_id,
        kind=kind,
        file_name=(file_name or path.name)[:255],
        stored_path=str(path),
        dry_run=dry_run,
        encoding_requested=encoding,
        created_by=actor,
    )
    return _dispatch(actor=actor, job=job, run_async=run_async)


def _dispatch(*, actor, job: ImportJob, run_async: bool | None) -> ImportJob:
    path = Path(job.stored_path)
    if run_async is None:
        run_async = not job.dry_run and path.stat().st_size > ASYNC_BYTES
    if run_async:
        enqueue_after_commit(
            "clients.tasks.import_job_process", job_id=job.pk, tenant_id=job.tenant_id
        )
        return job
    return import_job_run_stored(actor=actor, job=job)


def import_job_run_stored(*, actor, job: ImportJob) -> ImportJob:
    """Run ``job`` over its stored file, then delete the file unless a confirmation
    still needs it. A file already gone (swept) fails the job with one error."""
    path = Path(job.stored_path) if job.stored_path else None
    if path is None or not path.exists():
        job.status = ImportJob.Status.FAILED
        job.errors = [{"row": 1, "field": "file", "message": str(_gone_message())}]
        job.error_count = 1
        job.finished_at = timezone.now()
        job.save()
        return job
    try:
        with path.open("rb") as stream:
            import_job_run(actor=actor, job=job, stream=stream)
    finally:
        if job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
            import_job_finished(job)
    return job


def _gone_message():
    return _("The uploaded file is no longer available; upload it again.")


def import_job_confirm(*, actor, job: ImportJob, run_async: bool | None = None) -> ImportJob:
    """Run for real the file of a dry run that found no bad row (once: the real run
    deletes the file)."""
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may import data."))
    if not job.dry_run or job.status != ImportJob.Status.SUCCEEDED:
        raise ValidationError({"job": _("Only a dry run without errors can be confirmed.")})
    if not job.stored_path or not Path(job.stored_path).exists():
        raise ValidationError({"job": _gone_message()})
    real = ImportJob.objects.create(
        tenant_id=job.tenant_id,
        kind=job.kind,
        file_name=job.file_name,
        stored_path=job.stored_path,
        dry_run=False,
        # read as the dry run read it
        encoding_requested=job.encoding or job.encoding_requested,
        created_by=actor,
    )
    return _dispatch(actor=actor, job=real, run_async=run_async)


def import_files_sweep(*, now: float | None = None) -> int:
    """Delete stored uploads older than ``IMPORT_FILE_RETENTION_HOURS`` (dry runs never
    confirmed, files left by a killed worker). Returns how many were deleted. Jobs that
    pointed at them fail to confirm with "upload it again"."""
    cutoff = (now or time.time()) - settings.IMPORT_FILE_RETENTION_HOURS * 3600
    deleted = 0
    root = imports_folder()
    if not root.exists():
        return 0
    for path in root.glob("*/*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                deleted += 1
        except FileNotFoundError:
            continue
    if deleted:
        logger.info("import files sweep: %s file(s) deleted", deleted)
    return deleted
