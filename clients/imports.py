"""CSV import of clients, holdings and transactions from core banking.

- Keyed by the core system's ids: clients by ``external_id``; holdings by the
  client's ``external_id`` + ``account_number``; transactions by ``external_ref``.
- A dry run validates every row and reports EVERY bad row (row number, field,
  message; the header is row 1) and writes no data.
- A real run is atomic per file: one bad row and nothing is written (the
  report lists every bad row). It is idempotent: a row equal to what is stored
  is counted as unchanged and not written, so re-importing a file changes
  nothing and adds no audit event beyond the import's own.
- Files are streamed in batches of ``BATCH`` rows: one lookup query per batch
  and bulk_create / bulk_update, so memory stays flat for large files.
- Personal data is encrypted by the model fields; the blind indexes are set here.
- Manager changes (and the managers of new clients) write coverage history
  rows in bulk with each batch (reason "CSV import <file name>").

The file format of each kind is in clients/PORTFOLIO.md.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy.audit import audit_record
from tenancy.context import require_tenant_id
from tenancy.crypto import blind_index
from tenancy.models import Branch, Role
from tenancy.schedules import enqueue_after_commit
from tenancy.selectors import tenant_staff
from tenancy.timezones import tenant_zone

from .models import (
    FX_TO_BASE,
    Client,
    CoverageChange,
    CreditRating,
    Holding,
    ImportJob,
    Interest,
    Product,
    ProductCategory,
    Transaction,
    TransactionCategory,
)
from .services.coverage import coverage_change_row
from .services.portfolio import holdings_changed
from .services.tiering import tiering_recompute

BATCH = 2000
MAX_ERRORS_STORED = 100_000
# Choice values once (an enum's ``.values`` builds a new list on every call: 15% of a
# transactions import when read per row)
CREDIT_RATINGS = tuple(CreditRating.values)
INTERESTS = frozenset(Interest.values)
PRODUCT_CATEGORIES = tuple(ProductCategory.values)
DIRECTIONS = tuple(Transaction.Direction.values)
TRANSACTION_CATEGORIES = tuple(TransactionCategory.values)
CHANNELS = tuple(Transaction.Channel.values)


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    touched_client_ids: set = field(default_factory=set)
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "rows": self.rows_total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": len(self.errors),
            "errors": self.errors,
        }


class _Rollback(Exception):
    """Raised inside the file's transaction to undo a run that found bad rows."""


class RowInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


def _text(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


class _Row:
    """Collects one row's field errors while parsing."""

    def __init__(self, raw: dict, columns: set[str]):
        self.raw, self.columns, self.errors = raw, columns, []

    def has(self, name: str) -> bool:
        return name in self.columns

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str:
        value = _text(self.raw, name)
        if required and not value:
            self.errors.append((name, _("This field is required.")))
        elif len(value) > max_length:
            self.errors.append((name, _("At most %(n)s characters.") % {"n": max_length}))
        return value

    def choice(self, name: str, choices, default: str) -> str:
        value = _text(self.raw, name)
        if not value:
            return default
        if value not in choices:
            self.errors.append(
                (
                    name,
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": value, "choices": ", ".join(choices)},
                )
            )
        return value

    def decimal(self, name: str, *, required: bool = True) -> Decimal | None:
        value = _text(self.raw, name).replace(",", "")
        if not value:
            if required:
                self.errors.append((name, _("This field is required.")))
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.errors.append((name, _("Not a number.")))
            return None
        if not number.is_finite() or number < 0:
            self.errors.append((name, _("Must be zero or more.")))
            return None
        if number != number.quantize(Decimal("0.01")):
            self.errors.append((name, _("At most two decimal places.")))
            return None
        if number >= Decimal("1e18"):
            self.errors.append((name, _("Too large.")))
            return None
        return number.quantize(Decimal("0.01"))

    def currency(self, name: str = "currency") -> str:
        value = _text(self.raw, name).upper() or "CNY"
        if value not in FX_TO_BASE:
            self.errors.append((name, _("Unknown currency “%(value)s”.") % {"value": value}))
        return value

    def date(self, name: str) -> date | None:
        value = _text(self.raw, name)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors.append((name, _("Not a date (YYYY-MM-DD).")))
            return None

    def datetime(self, name: str, tz) -> datetime | None:
        value = _text(self.raw, name)
        if not value:
            self.errors.append((name, _("This field is required.")))
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.errors.append(
                (name, _("Not a date and time (ISO 8601, e.g. 2026-03-01T14:30:00+08:00)."))
            )
            return None
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=tz)
        return moment


# --- one handler per kind --------------------------------------------------------------------


class _Handler:
    kind: str
    required_columns: tuple[str, ...]
    optional_columns: tuple[str, ...]
    model: type

    def __init__(self, report: ImportReport, *, actor=None, file_name: str = ""):
        self.report = report
        self.actor = actor
        self.file_name = file_name
        self.tenant_id = require_tenant_id()
        self.seen: set = set()

    def key_of(self, values: dict):
        raise NotImplementedError

    def parse(self, row: _Row) -> dict:
        raise NotImplementedError

    def resolve(self, batch: list[tuple[int, _Row, dict]]) -> None:
        """Batch lookups that may add row errors (e.g. unknown client)."""

    def existing(self, keys: list) -> dict:
        raise NotImplementedError

    def diff(self, obj, values: dict) -> list[str]:
        return [name for name, value in values.items() if getattr(obj, name) != value]

    def build(self, values: dict):
        return self.model(tenant_id=self.tenant_id, **values)

    def batch_start(self) -> None:
        """Called before the rows of a batch are compared with what is stored."""

    def batch_written(self, created: list, updated: list) -> None:
        """Called after a batch was written (same transaction), with its new and changed objects."""

    def after_write(self, actor) -> None:
        """Recompute what depends on the rows written."""


def _index_fields(values: dict) -> None:
    for name in ("national_id", "phone", "email"):
        if name in values:
            values[f"{name}_index"] = blind_index(values[name])


class _ClientHandler(_Handler):
    kind = ImportJob.Kind.CLIENTS
    model = Client
    required_columns = ("external_id", "name", "branch_code")
    optional_columns = (
        "kind",
        "manager",
        "backup_manager",
        "national_id",
        "phone",
        "email",
        "address",
        "risk_tolerance",
        "preferred_channel",
        "lifecycle",
        "credit_rating",
        "interests",
    )
    CHOICES = {
        "kind": (Client.Kind.values, Client.Kind.INDIVIDUAL),
        "risk_tolerance": (Client.RiskTolerance.values, Client.RiskTolerance.BALANCED),
        "preferred_channel": (Client.Channel.values, Client.Channel.IN_PERSON),
        "lifecycle": (Client.Lifecycle.values, Client.Lifecycle.ACTIVE),
    }

    MANAGER_FIELDS = (
        ("dedicated_manager_id", CoverageChange.Kind.DEDICATED),
        ("backup_manager_id", CoverageChange.Kind.BACKUP),
    )

    def __init__(self, report, **kwargs):
        super().__init__(report, **kwargs)
        branches = list(Branch.objects.values_list("id", "code", "name"))
        self.branches = {name: pk for pk, _code, name in branches}
        self.branches.update({code: pk for pk, code, _name in branches if code})
        self.rms = dict(
            tenant_staff().filter(role=Role.RM, is_active=True).values_list("username", "id")
        )
        self.manager_changes = 0
        self.backup_manager_changes = 0
        self.history_rows = 0
        # coverage history: one row per manager change, written with the batch
        self.moves: list[tuple[Client, str, int | None, int | None]] = []
        self.history_at = timezone.now()
        self.history_batch = uuid.uuid4()
        self.history_reason = _("CSV import %(file)s") % {"file": self.file_name}

    def key_of(self, values):
        return values["external_id"]

    def parse(self, row: _Row) -> dict:
        v: dict[str, Any] = {
            "external_id": row.text("external_id", required=True, max_length=64),
            "name": row.text("name", required=True, max_length=200),
        }
        code = row.text("branch_code", required=True, max_length=200)
        if code:
            v["branch_id"] = self.branches.get(code)
            if v["branch_id"] is None:
                row.errors.append(
                    ("branch_code", _("Unknown branch “%(value)s”.") % {"value": code})
                )
        for col, attr in (
            ("manager", "dedicated_manager_id"),
            ("backup_manager", "backup_manager_id"),
        ):
            if row.has(col):
                username = row.text(col, max_length=150)
                v[attr] = self.rms.get(username) if username else None
                if username and v[attr] is None:
                    row.errors.append(
                        (
                            col,
                            _("“%(value)s” is not an active relationship manager of this bank.")
                            % {"value": username},
                        )
                    )
        if v.get("backup_manager_id") and v.get("backup_manager_id") == v.get(
            "dedicated_manager_id"
        ):
            row.errors.append(
                ("backup_manager", _("The backup manager must differ from the dedicated manager."))
            )
        for col, (choices, default) in self.CHOICES.items():
            if row.has(col):
                v[col] = row.choice(col, choices, default)
        if row.has("credit_rating"):
            v["credit_rating"] = row.choice("credit_rating", CREDIT_RATINGS, "")
        if row.has("national_id"):
            nid = row.text("national_id", max_length=32).upper()
            if nid and not nid.replace("-", "").isalnum():
                row.errors.append(("national_id", _("Only letters and digits are allowed.")))
            v["national_id"] = nid
        if row.has("phone"):
            phone = row.text("phone", max_length=32)
            if phone and not (
                phone.lstrip("+").replace("-", "").replace(" ", "").isdigit() and len(phone) >= 5
            ):
                row.errors.append(("phone", _("Not a phone number.")))
            v["phone"] = phone
        if row.has("email"):
            email = row.text("email", max_length=254)
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    row.errors.append(("email", _("Not an email address.")))
            v["email"] = email
        if row.has("address"):
            v["address"] = row.text("address", max_length=500)
        if row.has("interests"):
            items = [i.strip() for i in _text(row.raw, "interests").split(";") if i.strip()]
            bad = [i for i in items if i not in INTERESTS]
            if bad:
                row.errors.append(
                    (
                        "interests",
                        _("Unknown interest(s): %(values)s.") % {"values": ", ".join(bad)},
                    )
                )
            v["interests"] = sorted(set(items))
        _index_fields(v)
        return v

    def existing(self, keys):
        # the three indexed personal fields are compared by blind index: no decryption
        qs = Client.objects.filter(external_id__in=keys).defer("national_id", "phone", "email")
        return {c.external_id: c for c in qs}

    def diff(self, obj, values):
        changed = []
        for name, value in values.items():
            if name in ("national_id", "phone", "email"):
                continue  # compared through their *_index
            current = getattr(obj, name)
            if name == "interests":
                current = sorted(set(current or []))
            if current != value:
                changed.append(name)
        changed += [n for n in ("national_id", "phone", "email") if f"{n}_index" in changed]
        for name, kind in self.MANAGER_FIELDS:
            if name in changed:
                self.moves.append((obj, kind, getattr(obj, name), values[name]))
        if "dedicated_manager_id" in changed:
            self.manager_changes += 1
        if "backup_manager_id" in changed:
            self.backup_manager_changes += 1
        return changed

    def batch_start(self):
        self.moves = []

    def batch_written(self, created, updated):
        """Coverage history for the batch: every manager change of an existing
        client (from → to) and every manager of a new client (from nobody)."""
        moves = list(self.moves)
        for client in created:
            for name, kind in self.MANAGER_FIELDS:
                if getattr(client, name) is not None:
                    moves.append((client, kind, None, getattr(client, name)))
        rows = [
            coverage_change_row(
                tenant_id=self.tenant_id,
                client_id=client.pk,
                kind=kind,
                from_user_id=old,
                to_user_id=new,
                actor=self.actor,
                reason=self.history_reason,
                at=self.history_at,
                batch=self.history_batch,
            )
            for client, kind, old, new in moves
        ]
        CoverageChange.objects.bulk_create(rows, batch_size=BATCH)
        self.history_rows += len(rows)
        self.moves = []

    def after_write(self, actor):
        if self.report.touched_client_ids:
            tiering_recompute(
                client_ids=sorted(self.report.touched_client_ids),
                actor=actor,
                reason="clients_imported",
            )
        self.report.extra.update(
            {
                "manager_changes": self.manager_changes,
                "backup_manager_changes": self.backup_manager_changes,
                "coverage_history_rows": self.history_rows,
            }
        )
        if self.history_rows:
            self.report.extra["coverage_batch"] = str(self.history_batch)


class _ClientKeyed(_Handler):
    """Holdings and transactions name their client by external id."""

    def resolve(self, batch):
        ids = {
            values["client_external_id"]
            for _n, _row, values in batch
            if values.get("client_external_id")
        }
        found = dict(Client.objects.filter(external_id__in=ids).values_list("external_id", "id"))
        for _n, row, values in batch:
            ext = values.pop("client_external_id", "")
            if ext:
                values["client_id"] = found.get(ext)
                if values["client_id"] is None:
                    row.errors.append(
                        (
                            "client_external_id",
                            _("No client with external id “%(value)s”.") % {"value": ext},
                        )
                    )


class _HoldingHandler(_ClientKeyed):
    kind = ImportJob.Kind.HOLDINGS
    model = Holding
    required_columns = ("client_external_id", "account_number", "balance")
    optional_columns = ("kind", "product_code", "currency", "opened_on")

    def __init__(self, report, **kwargs):
        super().__init__(report, **kwargs)
        self.products = {
            code: (pk, cat)
            for pk, code, cat in Product.objects.values_list("id", "code", "category")
        }

    def key_of(self, values):
        return (values["client_id"], values["account_number"])

    def parse(self, row):
        v: dict[str, Any] = {
            "client_external_id": row.text("client_external_id", required=True, max_length=64),
            "account_number": row.text("account_number", required=True, max_length=64),
            "balance": row.decimal("balance"),
            "currency": row.currency(),
        }
        code = row.text("product_code", max_length=40) if row.has("product_code") else ""
        product = self.products.get(code) if code else None
        if code and product is None:
            row.errors.append(("product_code", _("Unknown product “%(value)s”.") % {"value": code}))
        v["product_id"] = product[0] if product else None
        default_kind = product[1] if product else ""
        v["kind"] = (
            row.choice("kind", PRODUCT_CATEGORIES, default_kind)
            if row.has("kind")
            else default_kind
        )
        if not v["kind"]:
            row.errors.append(("kind", _("Give the holding's kind or a product code.")))
        if row.has("opened_on"):
            v["opened_on"] = row.date("opened_on")
        return v

    def existing(self, keys):
        client_ids = {k[0] for k in keys}
        numbers = {k[1] for k in keys}
        qs = Holding.objects.filter(client_id__in=client_ids, account_number__in=numbers)
        return {(h.client_id, h.account_number): h for h in qs}

    def after_write(self, actor):
        if self.report.touched_client_ids:
            holdings_changed(client_ids=sorted(self.report.touched_client_ids), actor=actor)


class _TransactionHandler(_ClientKeyed):
    kind = ImportJob.Kind.TRANSACTIONS
    model = Transaction
    required_columns = (
        "external_ref",
        "client_external_id",
        "occurred_at",
        "amount",
        "direction",
        "category",
    )
    optional_columns = ("currency", "channel")

    def __init__(self, report, **kwargs):
        super().__init__(report, **kwargs)
        self.tz = tenant_zone(self.tenant_id)

    def key_of(self, values):
        return values["external_ref"]

    def parse(self, row):
        v: dict[str, Any] = {
            "external_ref": row.text("external_ref", required=True, max_length=64),
            "client_external_id": row.text("client_external_id", required=True, max_length=64),
            "occurred_at": row.datetime("occurred_at", self.tz),
            "amount": row.decimal("amount"),
            "currency": row.currency(),
            "direction": row.choice("direction", DIRECTIONS, ""),
            "category": row.choice("category", TRANSACTION_CATEGORIES, ""),
        }
        for col in ("direction", "category"):
            if not v[col] and not any(f == col for f, _m in row.errors):
                row.errors.append((col, _("This field is required.")))
        if row.has("channel"):
            v["channel"] = row.choice("channel", CHANNELS, Transaction.Channel.ONLINE)
        return v

    def existing(self, keys):
        return {t.external_ref: t for t in Transaction.objects.filter(external_ref__in=keys)}

    def after_write(self, actor):
        if self.report.touched_client_ids:
            tiering_recompute(
                client_ids=sorted(self.report.touched_client_ids),
                actor=actor,
                reason="transactions_imported",
            )


HANDLERS = {h.kind: h for h in (_ClientHandler, _HoldingHandler, _TransactionHandler)}


# --- the run -------------------------------------------------------------------------------


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


def _rows(stream) -> tuple[list[str], Any]:
    if isinstance(stream, io.TextIOBase):
        text = stream
    else:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    return [h.strip() for h in (reader.fieldnames or [])], reader


ANALYZE_AFTER_ROWS = 10_000


def _refresh_statistics(model, *, written: int) -> None:
    """ANALYZE the table a large import just wrote, inside the import's transaction
    (ANALYZE counts the transaction's own new rows), before the recomputations that
    follow read it. Autovacuum cannot see uncommitted rows: with the old statistics
    a tenant's first 200,000 holdings look like none, and the AUM update picked a
    plan that scanned all of them once per client (quadratic: many minutes)."""
    if written < ANALYZE_AFTER_ROWS or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")


def import_run(*, actor, kind: str, stream, dry_run: bool, file_name: str = "") -> ImportReport:
    """Validate (and unless ``dry_run``, write) one CSV file of ``kind``.

    Returns the report; raises PermissionDenied for anyone but a tenant admin
    and ValidationError for an unknown kind. A real run that finds a bad row
    writes nothing (everything is rolled back)."""
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may import data."))
    if kind not in HANDLERS:
        raise ValidationError({"kind": _("Unknown import kind.")})
    report = ImportReport(kind=kind, dry_run=dry_run)
    try:
        with transaction.atomic():
            handler = HANDLERS[kind](report, actor=actor, file_name=file_name)
            header, reader = _rows(stream)
            reader.fieldnames = header
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
                report.errors.append(
                    {
                        "row": report.rows_total + 1,
                        "field": "file",
                        "message": str(_("Unreadable CSV: %(error)s") % {"error": exc}),
                    }
                )
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


def import_job_run(*, actor, job: ImportJob, stream) -> ImportJob:
    """Run ``job`` over ``stream`` and record the outcome on it; a real run
    writes one audit event (``clients.import_completed`` or ``clients.import_failed``)."""
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    report = import_run(
        actor=actor, kind=job.kind, stream=stream, dry_run=job.dry_run, file_name=job.file_name
    )
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
                **report.extra,
            },
        )
    return job


# --- jobs: stored upload, dry run first, then confirm --------------------------------------------

ASYNC_BYTES = 2_000_000  # real runs of larger files go to the worker


def _store(upload, tenant_id: int) -> Path:
    folder = Path(settings.VAR_DIR) / "imports" / str(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.csv"
    with path.open("wb") as out:
        for chunk in (
            upload.chunks()
            if hasattr(upload, "chunks")
            else iter(lambda: upload.read(1 << 20), b"")
        ):
            out.write(chunk)
    return path


def import_job_start(
    *, actor, kind: str, upload, file_name: str, dry_run: bool = True, run_async: bool | None = None
) -> ImportJob:
    """Store an uploaded CSV and run it: a dry run at once; a real run at once
    for small files, on the worker (after commit) for large ones, in which case
    the job is returned ``pending``."""
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may import data."))
    if kind not in HANDLERS:
        raise ValidationError({"kind": _("Unknown import kind.")})
    tenant_id = require_tenant_id()
    path = _store(upload, tenant_id)
    job = ImportJob.objects.create(
        tenant_id=tenant_id,
        kind=kind,
        file_name=(file_name or path.name)[:255],
        stored_path=str(path),
        dry_run=dry_run,
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
    with path.open("rb") as stream:
        return import_job_run(actor=actor, job=job, stream=stream)


def import_job_confirm(*, actor, job: ImportJob, run_async: bool | None = None) -> ImportJob:
    """Run for real the file of a dry run that found no bad row."""
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may import data."))
    if not job.dry_run or job.status != ImportJob.Status.SUCCEEDED:
        raise ValidationError({"job": _("Only a dry run without errors can be confirmed.")})
    if not job.stored_path or not Path(job.stored_path).exists():
        raise ValidationError(
            {"job": _("The uploaded file is no longer available; upload it again.")}
        )
    real = ImportJob.objects.create(
        tenant_id=job.tenant_id,
        kind=job.kind,
        file_name=job.file_name,
        stored_path=job.stored_path,
        dry_run=False,
        created_by=actor,
    )
    return _dispatch(actor=actor, job=real, run_async=run_async)
