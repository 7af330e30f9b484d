"""Writes with rules for the portfolio: the product catalogue, tier thresholds,
and the figures derived from holdings (Client.aum, Client.exposure).

Holdings and transactions themselves arrive from core banking through
``clients.imports``; after they change, that module calls
``client_totals_recompute`` and ``tiering_recompute`` for the touched clients.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from clients.access import RANKED_TIERS
from tenancy.audit import audit_record
from tenancy.context import require_tenant_id
from tenancy.models import Role

from ..models import Client, Holding, Product, ProductCategory, TierThreshold
from ..selectors.portfolio import base_currency
from .tiering import tiering_recompute

BATCH = 5000
PRODUCT_FIELDS = [
    "code",
    "name",
    "category",
    "risk_level",
    "is_esg",
    "vip_only",
    "min_investment",
    "currency",
    "description",
    "is_active",
]
_MONEY = DecimalField(max_digits=24, decimal_places=4)


def _require_admin(actor) -> None:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may do this."))


# --- product catalogue ------------------------------------------------------------


def _product_validate(product: Product) -> None:
    try:
        product.full_clean(exclude=["tenant"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    clash = Product.objects.filter(code=product.code)
    if product.pk:
        clash = clash.exclude(pk=product.pk)
    if clash.exists():
        raise ValidationError({"code": _("A product with this code already exists.")})


def product_create(
    *,
    actor,
    code: str,
    name: str,
    category: str,
    risk_level: int,
    is_esg: bool = False,
    vip_only: bool = False,
    min_investment: Decimal = Decimal("0"),
    currency: str = "CNY",
    description: str = "",
    is_active: bool = True,
) -> Product:
    """Add a product to the tenant's catalogue (tenant admin only).

    Raises PermissionDenied for other roles, ValidationError for bad fields or
    a code already used in this tenant."""
    _require_admin(actor)
    product = Product(
        tenant_id=require_tenant_id(),
        code=(code or "").strip(),
        name=(name or "").strip(),
        category=category,
        risk_level=risk_level,
        is_esg=is_esg,
        vip_only=vip_only,
        min_investment=min_investment,
        currency=currency,
        description=description,
        is_active=is_active,
    )
    with transaction.atomic():
        _product_validate(product)
        product.save()
        audit_record(
            action="clients.product_created",
            actor=actor,
            target=product,
            data={"code": product.code, "risk_level": product.risk_level},
        )
    return product


def product_update(*, actor, product: Product, **changes) -> Product:
    """Change catalogue fields of ``product`` (tenant admin only); audited with the diff."""
    _require_admin(actor)
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in unknown})
    diff = {}
    for name, value in changes.items():
        if name in ("code", "name") and isinstance(value, str):
            value = value.strip()
        if getattr(product, name) != value:
            diff[name] = [getattr(product, name), value]
            setattr(product, name, value)
    if not diff:
        return product
    with transaction.atomic():
        _product_validate(product)
        product.save()
        audit_record(
            action="clients.product_updated", actor=actor, target=product, data={"changes": diff}
        )
    return product


# --- derived figures -----------------------------------------------------------------


def _base_value():
    """balance converted to the base currency (fixed reference rates, see FX_TO_BASE)."""
    return base_currency("balance")


def _sum_subquery(*, loans: bool):
    holdings = Holding.objects.filter(client=OuterRef("pk"))
    holdings = (
        holdings.filter(kind=ProductCategory.LOAN)
        if loans
        else holdings.exclude(kind=ProductCategory.LOAN)
    )
    total = holdings.order_by().values("client").annotate(total=Sum(_base_value())).values("total")
    return Coalesce(Subquery(total, output_field=_MONEY), Value(Decimal("0")), output_field=_MONEY)


def client_totals_recompute(*, client_ids: list[int] | None = None) -> int:
    """Derive Client.aum (non-loan holdings) and Client.exposure (loans) in CNY
    from holdings: one UPDATE per batch of clients, never one per row."""
    qs = Client.objects.all()
    updates = {"aum": _sum_subquery(loans=False), "exposure": _sum_subquery(loans=True)}
    if client_ids is None:
        return qs.update(**updates)
    ids = sorted(set(client_ids))
    n = 0
    for start in range(0, len(ids), BATCH):
        n += qs.filter(pk__in=ids[start : start + BATCH]).update(**updates)
    return n


def holdings_changed(*, client_ids: list[int], actor=None) -> None:
    """After holdings of ``client_ids`` changed: recompute AUM/exposure and tiers."""
    client_totals_recompute(client_ids=client_ids)
    tiering_recompute(client_ids=client_ids, actor=actor, reason="holdings_changed")


# --- tier thresholds ---------------------------------------------------------------


def tier_threshold_update(
    *,
    actor,
    threshold: TierThreshold,
    min_aum: Decimal,
    min_transactions_12m: int,
    min_credit_rating: str = "",
) -> TierThreshold:
    """Change a tier's thresholds (tenant admin only), then recompute every
    client's tier. Higher tiers may not ask for less AUM than lower ones."""
    _require_admin(actor)
    threshold.min_aum = min_aum
    threshold.min_transactions_12m = min_transactions_12m
    threshold.min_credit_rating = min_credit_rating or ""
    try:
        threshold.full_clean(exclude=["tenant"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    order = list(RANKED_TIERS)
    others = {t.tier: t for t in TierThreshold.objects.exclude(pk=threshold.pk)}
    idx = order.index(threshold.tier)
    higher = [others[t] for t in order[:idx] if t in others]
    lower = [others[t] for t in order[idx + 1 :] if t in others]
    if any(h.min_aum < min_aum for h in higher) or any(lo.min_aum > min_aum for lo in lower):
        raise ValidationError(
            {"min_aum": _("A higher tier cannot require less AUM than a lower tier.")}
        )
    with transaction.atomic():
        threshold.save()
        audit_record(
            action="clients.tier_threshold_updated",
            actor=actor,
            target=threshold,
            data={
                "tier": threshold.tier,
                "min_aum": min_aum,
                "min_transactions_12m": min_transactions_12m,
                "min_credit_rating": threshold.min_credit_rating,
            },
        )
        tiering_recompute(actor=actor, reason="thresholds_changed")
    return threshold
