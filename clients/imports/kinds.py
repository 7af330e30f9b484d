"""One handler per import kind (clients, holdings, transactions): which columns, how a
row is parsed, how rows are keyed, looked up in batches and compared with what is stored."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy.context import require_tenant_id
from tenancy.crypto import blind_index
from tenancy.models import Branch, Role
from tenancy.selectors import tenant_staff
from tenancy.timezones import tenant_zone

from ..models import Client, CoverageChange, Holding, ImportJob, Product, Transaction
from ..models.core import KycRiskLevel
from ..services.coverage import coverage_change_row
from ..services.portfolio import holdings_changed
from ..services.tiering import tiering_recompute
from .rows import (
    BATCH,
    CHANNELS,
    CREDIT_RATINGS,
    DIRECTIONS,
    INTERESTS,
    PRODUCT_CATEGORIES,
    PRODUCT_CATEGORIES_LOAN,
    TRANSACTION_CATEGORIES,
    ImportReport,
    _Row,
    _text,
)

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
        "kyc_risk_level",
        "kyc_reviewed_on",
    )
    CHOICES = {
        "kind": (Client.Kind.values, Client.Kind.INDIVIDUAL),
        "risk_tolerance": (Client.RiskTolerance.values, Client.RiskTolerance.BALANCED),
        "preferred_channel": (Client.Channel.values, Client.Channel.IN_PERSON),
        "lifecycle": (Client.Lifecycle.values, Client.Lifecycle.ACTIVE),
        "kyc_risk_level": (KycRiskLevel.values, KycRiskLevel.MEDIUM),
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
        if row.has("kyc_reviewed_on"):
            v["kyc_reviewed_on"] = row.date("kyc_reviewed_on")
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
    optional_columns = ("kind", "product_code", "currency", "opened_on", "days_past_due")

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
        if row.has("days_past_due"):
            # only a loan can be past due; an empty cell means 0 (the arrears were cleared)
            days = row.integer("days_past_due") or 0
            if days and v["kind"] and v["kind"] != PRODUCT_CATEGORIES_LOAN:
                row.errors.append(
                    ("days_past_due", _("Only a loan can be days past due; leave it empty or 0."))
                )
            v["days_past_due"] = days
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
