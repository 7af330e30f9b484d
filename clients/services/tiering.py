"""Tiering: platinum, gold, silver, standard from the tenant's thresholds.

A client gets the highest tier whose every condition holds:
- AUM (CNY, derived from holdings) >= ``min_aum``;
- transactions in the last 12 months >= ``min_transactions_12m``;
- credit rating at least ``min_credit_rating`` when one is set (an unrated
  client is not excluded: most individuals carry no rating).
Otherwise ``standard``.

Set-based: one grouped SELECT counts the transitions, one UPDATE writes them
(both plain SQL that PostgreSQL and SQLite run), so 100,000 clients take
seconds. Changes are audited in aggregate: one event per run with counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from clients.access import RANKED_TIERS
from tenancy.audit import audit_record
from tenancy.context import require_tenant_id

from ..models import Client, TierThreshold, Transaction

TIER_ORDER = RANKED_TIERS  # highest first; "standard" otherwise
RATING_RANK = {"AAA": 7, "AA": 6, "A": 5, "BBB": 4, "BB": 3, "B": 2, "CCC": 1}
DEFAULT_THRESHOLDS = {
    # private-banking level, wealth-management level, affluent level (CNY)
    "platinum": {
        "min_aum": Decimal("6000000"),
        "min_transactions_12m": 12,
        "min_credit_rating": "BBB",
    },
    "gold": {"min_aum": Decimal("1000000"), "min_transactions_12m": 6, "min_credit_rating": "BB"},
    "silver": {"min_aum": Decimal("300000"), "min_transactions_12m": 0, "min_credit_rating": ""},
}
BATCH = 5000


@dataclass
class TieringResult:
    clients: int = 0
    changed: int = 0
    transitions: dict[str, int] = field(default_factory=dict)


def tier_thresholds(*, create_missing: bool = True) -> dict[str, TierThreshold]:
    """The tenant's thresholds by tier; the defaults are created when missing."""
    rows = {t.tier: t for t in TierThreshold.objects.all()}
    missing = [tier for tier in TIER_ORDER if tier not in rows]
    if missing and create_missing:
        tenant_id = require_tenant_id()
        created = TierThreshold.objects.bulk_create(
            [TierThreshold(tenant_id=tenant_id, tier=t, **DEFAULT_THRESHOLDS[t]) for t in missing],
            ignore_conflicts=True,
        )
        if len(created) != len(missing):  # a concurrent writer got there first
            rows = {t.tier: t for t in TierThreshold.objects.all()}
        else:
            rows.update({t.tier: t for t in created})
    return rows


def tier_for(
    *,
    aum: Decimal,
    transactions_12m: int,
    credit_rating: str,
    thresholds: dict[str, TierThreshold],
) -> str:
    """The tier the recomputation gives a client with these inputs (the rules of
    ``_new_tier_sql``), for loaders that know them before writing the row."""
    rank = RATING_RANK.get(credit_rating, 0)
    for tier in TIER_ORDER:
        t = thresholds.get(tier)
        if t is None or aum < t.min_aum or transactions_12m < t.min_transactions_12m:
            continue
        if not t.min_credit_rating or rank == 0 or rank >= RATING_RANK[t.min_credit_rating]:
            return tier
    return "standard"


def _rating_rank_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{r}' THEN {n}" for r, n in RATING_RANK.items())
    return f"(CASE {column} {whens} ELSE 0 END)"


def _new_tier_sql(thresholds: dict[str, TierThreshold], params: list) -> str:
    rank = _rating_rank_sql("c.credit_rating")
    cases = []
    for tier in TIER_ORDER:
        t = thresholds.get(tier)
        if t is None:
            continue
        cond = "c.aum >= %s AND COALESCE(tx.n, 0) >= %s"
        params += [t.min_aum, t.min_transactions_12m]
        if t.min_credit_rating:
            cond += f" AND ({rank} = 0 OR {rank} >= %s)"
            params.append(RATING_RANK[t.min_credit_rating])
        cases.append(f"WHEN {cond} THEN '{tier}'")
    return f"(CASE {' '.join(cases)} ELSE 'standard' END)"


def _computed_sql(thresholds, client_ids: list[int] | None, tenant_id: int) -> tuple[str, list]:
    # parameters in the order their placeholders appear in the SQL text
    params: list = []
    new_tier = _new_tier_sql(thresholds, params)
    cutoff = timezone.now() - timedelta(days=365)
    tx_table, client_table = Transaction._meta.db_table, Client._meta.db_table
    tx_filter = "tenant_id = %s AND occurred_at >= %s"
    params += [tenant_id, connection.ops.adapt_datetimefield_value(cutoff)]
    id_filter = ""
    if client_ids is not None:
        marks = ", ".join(["%s"] * len(client_ids))
        tx_filter += f" AND client_id IN ({marks})"
        params += list(client_ids)
    tx_sql = f"SELECT client_id, COUNT(*) AS n FROM {tx_table} WHERE {tx_filter} GROUP BY client_id"
    params.append(tenant_id)
    if client_ids is not None:
        id_filter = f" AND c.id IN ({', '.join(['%s'] * len(client_ids))})"
        params += list(client_ids)
    sql = (
        f"SELECT c.id AS id, c.tier AS old_tier, {new_tier} AS new_tier "
        f"FROM {client_table} c LEFT JOIN ({tx_sql}) tx ON tx.client_id = c.id "
        f"WHERE c.tenant_id = %s{id_filter}"
    )
    return sql, params


def _run(thresholds, client_ids, tenant_id, result: TieringResult) -> None:
    sql, params = _computed_sql(thresholds, client_ids, tenant_id)
    table = Client._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT old_tier, new_tier, COUNT(*) FROM ({sql}) x GROUP BY old_tier, new_tier",
            params,
        )
        for old, new, n in cursor.fetchall():
            result.clients += n
            if old != new:
                key = f"{old}->{new}"
                result.transitions[key] = result.transitions.get(key, 0) + n
                result.changed += n
        if result.changed:
            cursor.execute(
                f"UPDATE {table} SET tier = x.new_tier FROM ({sql}) x "
                f"WHERE {table}.id = x.id AND x.old_tier <> x.new_tier",
                params,
            )


def tiering_recompute(
    *,
    client_ids: list[int] | None = None,
    actor=None,
    reason: str = "inputs_changed",
    audit_when_unchanged: bool = False,
) -> TieringResult:
    """Recompute the tier of ``client_ids`` (all the tenant's clients when None).

    Writes one ``clients.tiering_recomputed`` audit event with the counts of
    each transition when any tier changed (or always, for the nightly run).
    """
    tenant_id = require_tenant_id()
    result = TieringResult()
    with transaction.atomic():
        thresholds = tier_thresholds()
        if client_ids is None:
            _run(thresholds, None, tenant_id, result)
        else:
            ids = sorted(set(client_ids))
            for start in range(0, len(ids), BATCH):
                _run(thresholds, ids[start : start + BATCH], tenant_id, result)
        if result.changed or audit_when_unchanged:
            audit_record(
                action="clients.tiering_recomputed",
                actor=actor,
                object_type="clients.client",
                data={
                    "reason": reason,
                    "clients": result.clients,
                    "changed": result.changed,
                    "transitions": result.transitions,
                },
            )
    return result
