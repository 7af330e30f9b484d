"""Demo data of the clients app for ``seed_demo``: products, clients (with
households and corporate groups), holdings and transactions, all in Chinese.
Deterministic for ``--seed`` (dates are offsets from the day of the run), and
fast: COPY (into a temporary table, then INSERT ... SELECT, because COPY FROM
refuses tables with row-level security; ``insert_rows``) for clients,
memberships, holdings and transactions on PostgreSQL, bulk_create for groups.

Each client row is written once, complete: AUM and exposure from the holdings
drawn for it (all in CNY), its tier from those and its transactions (drawn
with it), and the columns other apps plan (``register_client_columns``) — not
recomputed by UPDATEs of every client afterwards (each rewrote 100,000 rows
and their indexes at bench size).

What a banker would check: a holding meets its product's minimum investment;
VIP-only products are held only by platinum and gold clients (moved to an
ordinary product before they are written, once the tier is known); mortgages
for individuals, business loans for companies; a household's children carry
the head's surname.

Sizes: ``--clients N`` clients; about 3 holdings and 10 transactions each
(``--clients 100000`` gives 1,000,000 transactions).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection

from tenancy.crypto import blind_index, encrypt
from tenancy.demo import SeedContext, insert_rows
from tenancy.models import Role
from tenancy.registry import Registry
from tenancy.rls import analyze_tables

from .models import (
    Client,
    CreditRating,
    GroupMembership,
    Holding,
    KycStatus,
    Product,
    RelationshipGroup,
    Transaction,
)
from .services.tiering import tier_for, tier_thresholds, tiering_recompute

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "晓东",
    "海燕",
    "子涵",
    "雨桐",
    "浩然",
    "思远",
    "嘉怡",
]
CO_PREFIX = [
    "华信",
    "东方",
    "恒通",
    "鼎盛",
    "中泰",
    "金桥",
    "瑞丰",
    "宏达",
    "天成",
    "新纪元",
    "海川",
    "博远",
    "嘉禾",
    "盛世",
]
CO_TRADE = ["科技", "实业", "贸易", "投资", "制造", "物流", "医药", "能源", "新材料", "电子"]
CITIES = [
    "上海市浦东新区",
    "上海市静安区",
    "杭州市西湖区",
    "北京市朝阳区",
    "北京市海淀区",
    "深圳市南山区",
    "广州市天河区",
]
STREETS = ["世纪大道", "南京西路", "文三路", "建国路", "中关村大街", "科技园路", "天河路"]

# The demo bank is Chinese: every record is in Chinese only (the UI translates
# its own strings, never data).
# code, name, category, risk level, ESG, VIP only, minimum investment (CNY)
PRODUCTS = [
    ("DEP-CUR", "活期存款", "deposit", 1, False, False, 0),
    ("DEP-3M", "三个月定期存款", "deposit", 1, False, False, 50),
    ("DEP-1Y", "一年期定期存款", "deposit", 1, False, False, 50),
    ("DEP-LD", "大额存单", "deposit", 1, False, False, 200_000),
    ("WM-CASH", "现金管理类理财", "wealth", 1, False, False, 1),
    ("WM-FI90", "90天固收理财", "wealth", 2, False, False, 10_000),
    ("WM-FIP", "固收+理财", "wealth", 3, False, False, 10_000),
    ("WM-GREEN", "绿色债券理财", "wealth", 2, True, False, 10_000),
    ("WM-PB1", "私行专享稳健理财", "wealth", 2, False, True, 1_000_000),
    ("WM-PB2", "私行专享权益增强理财", "wealth", 4, False, True, 1_000_000),
    ("FD-MM", "货币市场基金", "fund", 1, False, False, 1),
    ("FD-BOND", "纯债基金", "fund", 2, False, False, 1_000),
    ("FD-ESG", "ESG责任投资混合基金", "fund", 3, True, False, 1_000),
    ("FD-NEV", "新能源主题股票基金", "fund", 4, True, False, 1_000),
    ("FD-CSI300", "沪深300指数基金", "fund", 4, False, False, 1_000),
    ("FD-TECH", "科技成长股票基金", "fund", 5, False, False, 1_000),
    ("FD-QDII", "全球配置QDII基金", "fund", 4, False, False, 10_000),
    ("INS-ANN", "年金保险", "insurance", 2, False, False, 10_000),
    ("INS-WL", "增额终身寿险", "insurance", 2, False, False, 100_000),
    ("INS-HL", "高端医疗险", "insurance", 1, False, True, 20_000),
    ("BD-GOV", "储蓄国债", "bond", 1, False, False, 100),
    ("BD-GREEN", "绿色金融债", "bond", 2, True, False, 100_000),
    ("TR-COL", "集合资金信托计划", "trust", 3, False, False, 1_000_000),
    ("TR-FAM", "家族信托", "trust", 3, False, True, 10_000_000),
    ("TR-SEC", "证券投资信托", "trust", 5, False, True, 1_000_000),
    ("PM-GOLD", "积存金", "precious_metal", 3, False, False, 1),
    ("LN-MORT", "个人住房贷款", "loan", 2, False, False, 0),
    ("LN-BIZ", "经营性贷款", "loan", 3, False, False, 0),
]
TOLERANCES = ["conservative", "moderate", "balanced", "growth", "aggressive"]
TOLERANCE_WEIGHTS = [20, 30, 30, 14, 6]
TX_CATEGORY_IN = ["deposit", "transfer", "wealth", "fund", "fee"]
TX_CATEGORY_OUT = ["withdrawal", "transfer", "wealth", "fund", "insurance", "card", "loan", "bond"]
CHANNELS = ["mobile", "mobile", "online", "branch", "atm", "rm"]
INTERESTS = [
    "esg",
    "tax_planning",
    "estate_planning",
    "education",
    "retirement",
    "art",
    "golf",
    "health",
]
CHUNK = 20_000
# Relationship groups: the share of "units" (a lone client, a household, a
# corporate group) that are households / corporate groups, and their sizes.
HOUSEHOLD_SHARE = 0.05
CORPORATE_GROUP_SHARE = 0.02
HOUSEHOLD_ROLES = {
    2: ["head_of_household", "spouse"],
    3: ["head_of_household", "spouse", "child"],
    4: ["head_of_household", "spouse", "child", "parent"],
}
VIP_TIERS = ("platinum", "gold")
# the columns the demo leaves at their defaults (insert_rows applies no model default)
CLIENT_DEFAULTS = {
    "currency": "CNY",
    "language": "zh-hans",
    "marketing_consent": "{}",
    "investment_goals": "[]",
    "kyc_status": KycStatus.PENDING.value,
}
T_COLS = [
    "client_id",
    "occurred_at",
    "amount",
    "direction",
    "category",
    "channel",
    "external_ref",
]

# Other apps' columns of the demo's client rows, planned before the rows are written
# (registered in their AppConfig.ready()): ``planner(ctx, clients) -> {column: values}``
# with ``clients`` the (external id, kind) of every client to be created, in order, and
# one value per client. The client rows are then written once, with those values, instead
# of rewritten later by an UPDATE of every row (communications' last contact, risk's KYC).
ClientColumnPlanner = Callable[[SeedContext, list[tuple[str, str]]], dict[str, list]]
DEMO_CLIENT_COLUMNS: Registry[ClientColumnPlanner] = Registry("demo client columns")


def register_client_columns(*, order: int, planner: ClientColumnPlanner) -> None:
    DEMO_CLIENT_COLUMNS.register(
        f"{planner.__module__}.{planner.__qualname__}", planner, order=order
    )


def _external_id(index: int) -> str:
    return f"C{index + 1:08d}"


def _planned_columns(ctx: SeedContext, plan: list) -> dict[str, list]:
    clients = [(_external_id(i), p.kind) for i, p in enumerate(plan)]
    columns: dict[str, list] = {}
    for planner in DEMO_CLIENT_COLUMNS:
        for column, values in planner(ctx, clients).items():
            if len(values) != len(clients):
                raise ValueError(f"{planner.__qualname__}: {len(values)} values of {column}")
            columns[column] = values
    return columns


@dataclass
class _Planned:
    """One client to create: who they are and which group (if any) they join."""

    kind: str
    name: str
    birth: date | None
    manager: object
    group: int | None = None  # index into the planned groups
    role: str = ""


@dataclass
class _Group:
    name: str
    kind: str
    members: list[int] = field(default_factory=list)  # indexes into the plan


def _national_id(rng, birth: date) -> str:
    area = rng.choice(["110105", "310115", "330106", "440305", "440106", "110108", "310106"])
    return f"{area}{birth:%Y%m%d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"


def _person(rng, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + rng.choice(GIVEN)


def _birth(rng, first_year: int, years: int) -> date:
    return date(first_year, 1, 1) + timedelta(days=rng.randrange(365 * years))


def _company(rng, prefix: str | None = None) -> str:
    return (
        f"{rng.choice(CITIES)[:2]}{prefix or rng.choice(CO_PREFIX)}{rng.choice(CO_TRADE)}有限公司"
    )


def _plan_clients(rng, count: int, pick_manager) -> tuple[list[_Planned], list[_Group]]:
    """Clients in units served by one manager: mostly lone clients, some
    households (head, spouse, children, a parent; the children carry the head's
    surname) and corporate groups (a holding company, subsidiaries, often the
    controlling shareholder as an individual client). The first two units are a
    household and a corporate group, so the demo RM has one of each."""
    plan: list[_Planned] = []
    groups: list[_Group] = []
    while len(plan) < count:
        left = count - len(plan)
        manager = pick_manager(len(plan))
        r = rng.random()
        if left >= 2 and (len(plan) == 0 or (len(groups) >= 2 and r < HOUSEHOLD_SHARE)):
            size = min(left, rng.choice([2, 3, 3, 4]))
            surname = rng.choice(SURNAMES)
            given = rng.sample(GIVEN, k=size)  # no two members share a given name
            head = surname + given[0]
            group = len(groups)
            groups.append(_Group(name=f"{head}家庭", kind="household"))
            head_birth = _birth(rng, 1958, 25)
            for k, role in enumerate(HOUSEHOLD_ROLES[size]):
                generation = timedelta(days=365 * rng.randint(24, 34))
                if role == "head_of_household":
                    name, birth = head, head_birth
                elif role == "spouse":
                    spouse = rng.choice(SURNAMES.replace(surname, ""))
                    shift = timedelta(days=rng.randrange(-5 * 365, 5 * 365))
                    name, birth = spouse + given[k], head_birth + shift
                elif role == "child":  # an adult client: born a generation after the head
                    name, birth = surname + given[k], min(head_birth + generation, date(2006, 1, 1))
                else:
                    name, birth = surname + given[k], head_birth - generation
                groups[group].members.append(len(plan))
                plan.append(_Planned("individual", name, birth, manager, group, role))
        elif left >= 2 and (
            len(groups) == 1 or (len(groups) >= 2 and r < HOUSEHOLD_SHARE + CORPORATE_GROUP_SHARE)
        ):
            size = min(left, rng.choice([2, 3, 4]))
            prefix = rng.choice(CO_PREFIX)
            group = len(groups)
            groups.append(_Group(name=f"{prefix}集团", kind="corporate_group"))
            members = [("corporate", f"{rng.choice(CITIES)[:2]}{prefix}控股集团有限公司", None)]
            members.append(("corporate", _company(rng, prefix), None))
            if size >= 3:
                members.append(("corporate", _company(rng, prefix), None))
            if size >= 4:
                members.append(("individual", _person(rng), _birth(rng, 1955, 25)))
            for k, (kind, name, birth) in enumerate(members):
                role = (
                    "parent_company"
                    if k == 0
                    else "controlling_person"
                    if kind == "individual"
                    else "subsidiary"
                )
                groups[group].members.append(len(plan))
                plan.append(_Planned(kind, name, birth, manager, group, role))
        elif rng.random() < 0.1:
            plan.append(_Planned("corporate", _company(rng), None, manager))
        else:
            plan.append(_Planned("individual", _person(rng), _birth(rng, 1950, 50), manager))
    return plan, groups


def _pick_product(rng, by_cat: dict, category: str, balance: Decimal):
    """A product of ``category`` whose minimum investment the balance meets;
    cash management (minimum 1 CNY) when the category has none."""
    fits = [p for p in by_cat[category] if p.min_investment <= balance]
    if fits:
        return rng.choice(fits)
    return next(p for p in by_cat["wealth"] if p.code == "WM-CASH")


def _vip_replacements(products: list) -> dict[int, int]:
    """For each VIP-only product: the non-VIP product of the same category with
    the highest minimum investment not above the VIP one's (so a holding moved
    to it still meets its minimum)."""
    out = {}
    for vip in products:
        if not vip.vip_only:
            continue
        options = [
            p
            for p in products
            if p.category == vip.category
            and not p.vip_only
            and p.min_investment <= vip.min_investment
        ]
        best = max(
            options,
            key=lambda p: (p.min_investment, -abs(p.risk_level - vip.risk_level), p.code),
        )
        out[vip.pk] = best.pk
    return out


def _vip_holdings_to_eligible_tiers(tenant_id: int, products: list) -> None:
    """VIP-only products are sold to platinum and gold clients only: after
    tiering, move every other client's VIP holding to the closest ordinary
    product of its category (one set-based UPDATE)."""
    mapping = _vip_replacements(products)
    if not mapping:
        return
    holding, client = Holding._meta.db_table, Client._meta.db_table
    whens = " ".join(
        f"WHEN product_id = {int(old)} THEN {int(new)}" for old, new in mapping.items()
    )
    old_ids = ", ".join(str(int(pk)) for pk in mapping)
    tiers = ", ".join(f"'{t}'" for t in VIP_TIERS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {holding} SET product_id = CASE {whens} ELSE product_id END "
            f"WHERE tenant_id = %s AND product_id IN ({old_ids}) AND client_id IN ("
            f"SELECT id FROM {client} WHERE tenant_id = %s AND tier NOT IN ({tiers}))",
            [tenant_id, tenant_id],
        )


def _analyze(*models) -> None:
    """Fresh planner statistics inside the seeding transaction for tiering
    (through the owner's ``steward_analyze``: the app role owns no table)."""
    analyze_tables(*(m._meta.db_table for m in models))


INVEST_CATEGORIES = ["wealth", "fund", "insurance", "bond", "trust", "precious_metal"]
H_COLS = ["client_id", "product_id", "kind", "account_number", "balance", "opened_on"]


def _holdings(rng, by_cat: dict, kind: str, aum: float, today) -> list[tuple]:
    """One client's holdings as (product, account prefix, balance, opened on), all
    in CNY: a deposit, up to three investments that meet their minimums, and for
    some a loan (mortgage for a person, business loan for a company)."""
    parts = rng.randint(1, 4)
    weights = [rng.random() + 0.2 for _ in range(parts)]
    total_w = sum(weights)
    cats = ["deposit"] + rng.sample(INVEST_CATEGORIES, k=parts - 1)
    out = []
    for k, cat in enumerate(cats):
        balance = Decimal(aum * weights[k] / total_w).quantize(Decimal("0.01"))
        product = _pick_product(rng, by_cat, cat, balance)
        opened = (today - timedelta(days=rng.randrange(30, 3650))).date()
        out.append((product, f"62{{cid:010d}}{k:02d}", balance, opened))
    if rng.random() < 0.18:
        code = "LN-BIZ" if kind == Client.Kind.CORPORATE else "LN-MORT"
        loan = next(p for p in by_cat["loan"] if p.code == code)
        balance = Decimal(rng.lognormvariate(13.5, 1.0)).quantize(Decimal("0.01"))
        opened = (today - timedelta(days=rng.randrange(30, 3650))).date()
        out.append((loan, "66{cid:010d}01", balance, opened))
    return out


def _transactions(rng, count: int, scale: float, today, numbered: int) -> list[tuple]:
    """``count`` transactions of one client over 15 months, as (occurred at, amount in
    CNY, direction, category, channel, reference), referenced from ``numbered + 1``."""
    out = []
    for k in range(count):
        direction = "in" if rng.random() < 0.45 else "out"
        category = rng.choice(TX_CATEGORY_IN if direction == "in" else TX_CATEGORY_OUT)
        moment = today - timedelta(minutes=rng.randrange(60 * 24 * 455))
        amount = Decimal(rng.expovariate(1 / scale)).quantize(Decimal("0.01"))
        out.append(
            (
                moment,
                amount,
                direction,
                category,
                rng.choice(CHANNELS),
                f"T{numbered + k + 1:010d}",
            )
        )
    return out


def seed_portfolio(ctx: SeedContext) -> None:
    started = time.monotonic()
    rng = ctx.rng
    tenant_id = ctx.tenant.pk
    products = Product.objects.bulk_create(
        [
            Product(
                tenant_id=tenant_id,
                code=c,
                name=n,
                category=cat,
                risk_level=r,
                is_esg=e,
                vip_only=v,
                min_investment=Decimal(m),
            )
            for c, n, cat, r, e, v, m in PRODUCTS
        ]
    )
    by_cat: dict[str, list[Product]] = {}
    for p in products:
        by_cat.setdefault(p.category, []).append(p)
    tier_thresholds()

    rms = list(ctx.staff[Role.RM])
    demo_rm = next((u for u in rms if u.username == "demo_rm"), rms[0])
    rm_by_branch: dict[int, list] = {}
    for u in rms:
        rm_by_branch.setdefault(u.branch_id, []).append(u)
    others = [u for u in rms if u is not demo_rm] or rms
    n_demo = min(ctx.clients, 36 if ctx.clients >= 108 else max(1, ctx.clients // 3))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    def pick_manager(index: int):
        """(dedicated, backup or None) for the unit starting at ``index``."""
        rm = demo_rm if index < n_demo else rng.choice(others)
        peers = [u for u in rm_by_branch.get(rm.branch_id, []) if u is not rm and u is not demo_rm]
        return rm, (rng.choice(peers) if peers and rng.random() < 0.3 else None)

    plan, groups = _plan_clients(rng, ctx.clients, pick_manager)

    # --- clients, their holdings and transactions --------------------------------------
    # Each client row is written once, with everything the demo knows about it: AUM
    # (non-loan holdings) and exposure (loans) from the holdings drawn for it, its tier
    # from those and its transactions (drawn with it), and the columns other apps plan
    # (last contact, KYC: ``register_client_columns``). An UPDATE of every client row
    # afterwards rewrites the row and its twenty indexes (10 s and more at 100,000
    # clients, each time); a recomputation over the freshly loaded tables would also
    # run without planner statistics.
    thresholds = tier_thresholds()
    vip_moves = _vip_replacements(products)
    by_pk = {p.pk: p for p in products}
    planned_columns = _planned_columns(ctx, plan)
    client_ids: list[int] = []
    n_holdings = n_tx = 0
    n_tiered = 0
    target_tx = ctx.clients * 10
    now = datetime.now(UTC)
    tx_cutoff = now - timedelta(days=365)
    last_pk = 0
    ratings, channels = CreditRating.values[:6], Client.Channel.values
    lifecycles = Client.Lifecycle.values  # (built anew at each access)
    for start in range(0, ctx.clients, CHUNK):
        clients, holdings_of, tx_of = [], [], []
        for i in range(start, min(start + CHUNK, ctx.clients)):
            planned = plan[i]
            rm, backup = planned.manager
            kind = planned.kind
            aum = rng.lognormvariate(12.0, 1.6) * (4 if kind == Client.Kind.CORPORATE else 1)
            nid = (
                _national_id(rng, planned.birth)
                if kind == Client.Kind.INDIVIDUAL
                else f"91{rng.randrange(10**15, 10**16)}X"
            )
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            email = f"c{i:07d}@example.com" if rng.random() < 0.6 else ""
            interests = sorted(rng.sample(INTERESTS, k=rng.choice([0, 1, 1, 2, 3])))
            city = rng.choice(CITIES)
            holdings = _holdings(rng, by_cat, kind, aum, today)
            credit_rating = (
                rng.choice(ratings) if kind == Client.Kind.CORPORATE or rng.random() < 0.2 else ""
            )
            # ~10 transactions per client, heavier for richer clients, over 15 months:
            # exactly ``target_tx`` in all (the last client takes the rest)
            share = (target_tx - n_tx) / (ctx.clients - i)
            left = max(0, target_tx - n_tx)
            count = min(left, int(rng.expovariate(1 / share))) if share > 0 else 0
            if i == ctx.clients - 1:
                count = left
            txs = _transactions(rng, count, max(aum / 50, 200), today, n_tx)
            n_tx += count
            client_aum = sum((b for p, _a, b, _o in holdings if p.category != "loan"), Decimal(0))
            tier = tier_for(
                aum=client_aum,
                transactions_12m=sum(1 for t in txs if t[0] >= tx_cutoff),
                credit_rating=credit_rating,
                thresholds=thresholds,
            )
            n_tiered += tier != Client.Tier.STANDARD
            if tier not in VIP_TIERS:  # VIP-only products are sold to platinum and gold only
                holdings = [(by_pk[vip_moves.get(p.pk, p.pk)], a, b, o) for p, a, b, o in holdings]
            holdings_of.append(holdings)
            tx_of.append(txs)
            row = {
                "kind": kind,
                "name": planned.name,
                "external_id": _external_id(i),
                "branch_id": rm.branch_id,
                "dedicated_manager_id": rm.pk,
                "backup_manager_id": getattr(backup, "pk", None),
                "tier": tier,
                "aum": client_aum,
                "exposure": sum(
                    (b for p, _a, b, _o in holdings if p.category == "loan"), Decimal(0)
                ),
                "risk_tolerance": rng.choices(TOLERANCES, TOLERANCE_WEIGHTS)[0],
                "preferred_channel": rng.choice(channels),
                "lifecycle": rng.choices(lifecycles, [5, 85, 8, 2])[0],
                "interests": json.dumps(interests),
                "credit_rating": credit_rating,
                "last_contacted_at": today - timedelta(days=rng.randrange(1, 200)),
                "national_id": encrypt(nid),
                "national_id_index": blind_index(nid),
                "phone": encrypt(phone),
                "phone_index": blind_index(phone),
                "email": encrypt(email) if email else "",
                "email_index": blind_index(email),
                "address": encrypt(f"{city}{rng.choice(STREETS)}{rng.randrange(1, 999)}号"),
            }
            for column, values in planned_columns.items():
                row[column] = values[i]
            clients.append(row)
        insert_rows(
            Client,
            list(clients[0]),
            [tuple(r.values()) for r in clients],
            {"tenant_id": tenant_id, **CLIENT_DEFAULTS, "created_at": now, "updated_at": now},
        )
        ids = dict(
            Client.objects.filter(pk__gt=last_pk).values_list("external_id", "pk").order_by()
        )
        pks = [ids[r["external_id"]] for r in clients]
        last_pk = max(pks)
        client_ids.extend(pks)
        rows = [
            (cid, p.pk, p.category, account.format(cid=cid), b, opened)
            for cid, holdings in zip(pks, holdings_of, strict=True)
            for p, account, b, opened in holdings
        ]
        insert_rows(
            Holding, H_COLS, rows, {"tenant_id": tenant_id, "currency": "CNY", "updated_at": now}
        )
        n_holdings += len(rows)
        insert_rows(
            Transaction,
            T_COLS,
            [(cid, *t) for cid, txs in zip(pks, tx_of, strict=True) for t in txs],
            {"tenant_id": tenant_id, "currency": "CNY"},
        )
    ctx.say(
        f"  clients: {len(client_ids)}, holdings: {n_holdings}, transactions: {n_tx} "
        f"({time.monotonic() - started:.1f}s)"
    )

    # --- households and corporate groups ------------------------------------------------
    made_groups = RelationshipGroup.objects.bulk_create(
        [
            RelationshipGroup(tenant_id=tenant_id, name=g.name, kind=g.kind, created_by_id=None)
            for g in groups
        ],
        batch_size=2000,
    )
    insert_rows(
        GroupMembership,
        ["tenant_id", "group_id", "client_id", "role", "created_at"],
        [
            (tenant_id, made_groups[p.group].pk, client_ids[i], p.role, now)
            for i, p in enumerate(plan)
            if p.group is not None
        ],
    )
    ctx.say(f"  households and corporate groups: {len(groups)} ({time.monotonic() - started:.1f}s)")

    _analyze(Client, Transaction)
    # the tiers were written with the clients: the real recomputation confirms them (one
    # grouped SELECT; it updates only what the rules say otherwise, none normally)
    result = tiering_recompute(reason="demo_seeded")
    if result.changed:
        _vip_holdings_to_eligible_tiers(tenant_id, products)
    ctx.say(
        f"  AUM and tiers: {n_tiered} clients above standard, {result.changed} corrected"
        f" ({time.monotonic() - started:.1f}s)"
    )
