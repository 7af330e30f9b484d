import datetime
import decimal
import uuid

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from clients.models import Client
from tenancy.audit import audit_record
from tenancy.context import TenantScopeError, tenant_scope
from tenancy.models import AuditEvent, Branch, Tenant, TenantOwnedModel, User

from ..factories import ClientFactory

TENANT_OWNED = [
    m for m in apps.get_models() if issubclass(m, TenantOwnedModel) and not m._meta.abstract
]
# Values a check constraint needs beyond "any value of the field's type".
EXTRA_VALUES = {
    "communications.ReminderDispatch": lambda bank, rows: {
        "kind": "digest",
        "digest_date": timezone.localdate(),
    },
    # a limit belongs to a client or to a group (both columns are nullable)
    "risk.CreditLimit": lambda bank, rows: {"client": _row_of(Client, bank, rows)},
    # a recovery or referral comes from a survey answer, a thank-you from an event invitation
    "loyalty.ServiceRecovery": lambda bank, rows: {
        "response": _row_of(apps.get_model("loyalty", "SurveyResponse"), bank, rows)
    },
}


def _value_for(field: models.Field, bank, rows: dict):
    """A value the database accepts for a required field (no full_clean)."""
    if field.is_relation:
        target = field.related_model
        if target is Tenant:
            return bank.tenant
        if target is User:
            return bank.rm
        if target is Branch:
            return bank.branch
        return _row_of(target, bank, rows)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return timezone.localdate()
    if isinstance(field, models.TimeField):
        return datetime.time(9, 0)
    if isinstance(field, models.DurationField):
        return datetime.timedelta(days=1)
    if isinstance(field, models.DecimalField):
        return decimal.Decimal("1")
    if isinstance(field, models.FloatField):
        return 1.0
    if isinstance(field, models.IntegerField):
        return 1
    if isinstance(field, models.EmailField):
        return "row@example.com"
    if isinstance(field, (models.CharField, models.TextField)):
        return "x"[: field.max_length or 1]
    raise AssertionError(f"no test value for {field.model._meta.label}.{field.name}")


def _row_of(model, bank, rows: dict):
    """One row of ``model`` in ``bank``'s tenant, built from its required fields."""
    if model in rows:
        return rows[model]
    if model is Client:
        row = ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
    elif model is AuditEvent:
        row = audit_record(action="test.row", actor=bank.admin)
    elif model is Branch:
        row = bank.branch
    else:
        extra = EXTRA_VALUES.get(model._meta.label, lambda bank, rows: {})(bank, rows)
        values = dict(extra)
        for field in model._meta.concrete_fields:
            if (
                field.primary_key
                or field.generated  # computed by the database (GeneratedField)
                or field.name in ("tenant", *extra)
                or field.null
                or field.has_default()
            ):
                continue
            if isinstance(field, (models.DateTimeField, models.DateField)) and (
                field.auto_now or field.auto_now_add
            ):
                continue
            values[field.name] = _value_for(field, bank, rows)
        row = model.objects.create(**values)
    rows[model] = row
    return row


@pytest.fixture
def two_banks_with_every_model(bank, other_bank):
    """Both tenants hold at least one row of every tenant-owned model, so the
    scoping tests compare real sets rather than empty ones."""
    for b in (bank, other_bank):
        with b.scope():
            rows: dict = {}
            for model in TENANT_OWNED:
                _row_of(model, b, rows)
    return bank, other_bank


def test_there_are_tenant_owned_models():
    assert {Branch, AuditEvent, Client} <= set(TENANT_OWNED)


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
def test_default_manager_raises_outside_a_tenant_scope(db, model):
    with pytest.raises(TenantScopeError):
        list(model.objects.all()[:1])
    with pytest.raises(TenantScopeError):
        model.objects.count()


def _database_shows(tenant) -> None:
    """On PostgreSQL, point row-level security at ``tenant`` for the rest of the
    transaction while the tenant in scope stays as it is: what is then filtered
    out is filtered by the manager alone. (No-op on SQLite: no policies.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL app.tenant_id = '{int(tenant.pk)}'")


def test_both_tenants_hold_a_row_of_every_tenant_owned_model(two_banks_with_every_model):
    empty = []
    for bank in two_banks_with_every_model:
        with bank.scope():
            empty += [
                (bank.tenant.slug, m._meta.label)
                for m in TENANT_OWNED
                if not m.all_tenants.filter(tenant=bank.tenant).exists()
            ]
    assert empty == []


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
def test_default_manager_filters_to_the_tenant_in_scope(two_banks_with_every_model, model):
    a, b = two_banks_with_every_model
    for bank, other in ((a, b), (b, a)):
        with bank.scope():
            own = set(model.all_tenants.filter(tenant=bank.tenant).values_list("pk", flat=True))
            tenants = set(model.objects.values_list("tenant_id", flat=True).distinct())
            rows = set(model.objects.values_list("pk", flat=True))
            _database_shows(other.tenant)
            database_shows_other = model.all_tenants.filter(tenant=other.tenant).exists()
            through_manager = set(model.objects.values_list("pk", flat=True))
        assert tenants == {bank.tenant.pk}
        assert rows == own
        # the database now shows only the other bank's rows; the manager still
        # asks for this bank's, so nothing comes through
        assert database_shows_other
        if connection.vendor == "postgresql":
            assert through_manager == set()


def test_branch_reads_in_scope_see_only_own_tenant(bank, other_bank):
    with tenant_scope(bank.tenant):
        names = set(Branch.objects.values_list("name", flat=True))
    assert names == {"a Head office", "a East region", "a Pudong", "a Jing'an"}


def test_reverse_relations_are_scoped_too(bank):
    with pytest.raises(TenantScopeError):
        list(bank.head_office.children.all())
    with tenant_scope(bank.tenant):
        assert [b.name for b in bank.head_office.children.all()] == ["a East region"]


def test_saving_a_row_of_another_tenant_inside_a_scope_is_refused(bank, other_bank):
    with tenant_scope(bank.tenant), pytest.raises(ValueError):
        Branch(tenant=other_bank.tenant, name="sneaky").save()


def test_new_rows_take_the_tenant_in_scope(bank):
    with tenant_scope(bank.tenant):
        b = Branch(name="fresh")
        b.save()
    assert b.tenant_id == bank.tenant.pk
