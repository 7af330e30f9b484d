"""Demo data of the clients app for ``seed_demo``: products, clients, holdings
and transactions. Deterministic for ``--seed`` (dates are offsets from the day
of the run), and fast: bulk_create for clients, COPY (into a temporary
table, then INSERT ... SELECT, because COPY FROM refuses tables with row-level
security) for holdings and transactions on PostgreSQL.

Sizes: ``--clients N`` clients; about 3 holdings and 10 transactions each
(``--clients 100000`` gives 1,000,000 transactions).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tenancy.crypto import blind_index
from tenancy.demo import SeedContext, insert_rows
from tenancy.models import Role

from .models import Client, CreditRating, Holding, Product, Transaction
from .services.portfolio import client_totals_recompute
from .services.tiering import tier_thresholds, tiering_recompute

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
EN_FIRST = [
    "James",
    "Emma",
    "Oliver",
    "Sophia",
    "William",
    "Olivia",
    "Henry",
    "Grace",
    "David",
    "Chloe",
    "Michael",
    "Lucy",
    "Daniel",
    "Hannah",
    "Thomas",
    "Amelia",
]
EN_LAST = [
    "Smith",
    "Wong",
    "Chan",
    "Johnson",
    "Lee",
    "Brown",
    "Taylor",
    "Cheung",
    "Miller",
    "Ng",
    "Davis",
    "Lau",
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
CO_EN = [
    "Pacific Trading Ltd",
    "Harbour Capital Ltd",
    "Orient Logistics Co",
    "Evergreen Materials Co",
    "Silverline Electronics Ltd",
    "Lotus Biotech Co",
]
CITIES = [
    "上海市浦东新区",
    "上海市静安区",
    "杭州市西湖区",
    "北京市朝阳区",
    "北京市海淀区",
    "深圳市南山区",
    "广州市天河区",
]

# code, name, category, risk level, ESG, VIP only, minimum investment (CNY)
PRODUCTS = [
    ("DEP-CUR", "活期存款 Current account", "deposit", 1, False, False, 0),
    ("DEP-3M", "三个月定期存款 3-month time deposit", "deposit", 1, False, False, 50),
    ("DEP-1Y", "一年期定期存款 1-year time deposit", "deposit", 1, False, False, 50),
    ("DEP-LD", "大额存单 Large-denomination CD", "deposit", 1, False, False, 200_000),
    ("WM-CASH", "现金管理类理财 Cash management", "wealth", 1, False, False, 1),
    ("WM-FI90", "固收理财90天 Fixed income 90d", "wealth", 2, False, False, 10_000),
    ("WM-FIP", "固收+理财 Fixed income plus", "wealth", 3, False, False, 10_000),
    ("WM-GREEN", "绿色债券理财 Green bond wealth product", "wealth", 2, True, False, 10_000),
    ("WM-PB1", "私行专享稳健理财 Private banking steady", "wealth", 2, False, True, 1_000_000),
    ("WM-PB2", "私行专享权益增强 Private banking equity plus", "wealth", 4, False, True, 1_000_000),
    ("FD-MM", "货币市场基金 Money market fund", "fund", 1, False, False, 1),
    ("FD-BOND", "纯债基金 Bond fund", "fund", 2, False, False, 1_000),
    ("FD-ESG", "ESG 责任投资混合基金 ESG mixed fund", "fund", 3, True, False, 1_000),
    ("FD-NEV", "新能源主题股票基金 New energy equity fund", "fund", 4, True, False, 1_000),
    ("FD-CSI300", "沪深300指数基金 CSI 300 index fund", "fund", 4, False, False, 1_000),
    ("FD-TECH", "科技成长股票基金 Tech growth equity fund", "fund", 5, False, False, 1_000),
    ("FD-QDII", "全球配置QDII基金 Global QDII fund", "fund", 4, False, False, 10_000),
    ("INS-ANN", "年金保险 Annuity insurance", "insurance", 2, False, False, 50_000),
    ("INS-WL", "增额终身寿险 Whole life insurance", "insurance", 2, False, False, 100_000),
    ("INS-HL", "高端医疗险 Premium health insurance", "insurance", 1, False, True, 20_000),
    ("BD-GOV", "储蓄国债 Government savings bond", "bond", 1, False, False, 100),
    ("BD-GREEN", "绿色金融债 Green financial bond", "bond", 2, True, False, 100_000),
    ("TR-FAM", "家族信托 Family trust", "trust", 3, False, True, 10_000_000),
    ("TR-SEC", "证券投资信托 Securities trust", "trust", 5, False, True, 1_000_000),
    ("PM-GOLD", "积存金 Gold accumulation", "precious_metal", 3, False, False, 1),
    ("LN-MORT", "个人住房贷款 Mortgage", "loan", 2, False, False, 0),
    ("LN-BIZ", "经营性贷款 Business loan", "loan", 3, False, False, 0),
]
TOLERANCES = ["conservative", "moderate", "balanced", "growth", "aggressive"]
TOLERANCE_WEIGHTS = [20, 30, 30, 14, 6]
TX_CATEGORY_IN = ["deposit", "transfer", "wealth", "fund", "fee"]
TX_CATEGORY_OUT = ["withdrawal", "transfer", "wealth", "fund", "insurance", "card", "loan", "bond"]
CHANNELS = ["mobile", "mobile", "online", "branch", "atm", "rm"]
CHUNK = 20_000


def _national_id(rng, birth: date) -> str:
    area = rng.choice(["110105", "310115", "330106", "440305", "440106", "110108", "310106"])
    return f"{area}{birth:%Y%m%d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"


def _name(rng, kind: str) -> str:
    if kind == Client.Kind.CORPORATE:
        if rng.random() < 0.15:
            return rng.choice(CO_EN)
        return f"{rng.choice(CITIES)[:2]}{rng.choice(CO_PREFIX)}{rng.choice(CO_TRADE)}有限公司"
    if rng.random() < 0.08:
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


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

    # --- clients --------------------------------------------------------------------------
    client_ids: list[int] = []
    client_aum: list[float] = []
    client_kind: list[str] = []
    for start in range(0, ctx.clients, CHUNK):
        batch = []
        for i in range(start, min(start + CHUNK, ctx.clients)):
            rm = demo_rm if i < n_demo else rng.choice(others)
            peers = [
                u for u in rm_by_branch.get(rm.branch_id, []) if u is not rm and u is not demo_rm
            ]
            backup = rng.choice(peers) if peers and rng.random() < 0.3 else None
            kind = Client.Kind.CORPORATE if rng.random() < 0.12 else Client.Kind.INDIVIDUAL
            aum = rng.lognormvariate(12.0, 1.6) * (4 if kind == Client.Kind.CORPORATE else 1)
            birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
            nid = (
                _national_id(rng, birth)
                if kind == Client.Kind.INDIVIDUAL
                else f"91{rng.randrange(10**15, 10**16)}X"
            )
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            email = f"c{i:07d}@example.com" if rng.random() < 0.6 else ""
            interests = sorted(
                rng.sample(
                    [
                        "esg",
                        "tax_planning",
                        "estate_planning",
                        "education",
                        "retirement",
                        "art",
                        "golf",
                        "health",
                    ],
                    k=rng.choice([0, 1, 1, 2, 3]),
                )
            )
            batch.append(
                Client(
                    tenant_id=tenant_id,
                    kind=kind,
                    name=_name(rng, kind),
                    external_id=f"C{i + 1:08d}",
                    branch_id=rm.branch_id,
                    dedicated_manager_id=rm.pk,
                    backup_manager_id=getattr(backup, "pk", None),
                    risk_tolerance=rng.choices(TOLERANCES, TOLERANCE_WEIGHTS)[0],
                    preferred_channel=rng.choice(Client.Channel.values),
                    lifecycle=rng.choices(Client.Lifecycle.values, [5, 85, 8, 2])[0],
                    interests=interests,
                    credit_rating=(
                        rng.choice(CreditRating.values[:6])
                        if kind == Client.Kind.CORPORATE or rng.random() < 0.2
                        else ""
                    ),
                    last_contacted_at=today - timedelta(days=rng.randrange(1, 200)),
                    national_id=nid,
                    national_id_index=blind_index(nid),
                    phone=phone,
                    phone_index=blind_index(phone),
                    email=email,
                    email_index=blind_index(email),
                    address=f"{rng.choice(CITIES)}{rng.randrange(1, 999)}号",
                )
            )
            client_aum.append(aum)
            client_kind.append(kind)
        Client.objects.bulk_create(batch, batch_size=2000)
        client_ids.extend(c.pk for c in batch)
    ctx.say(f"  clients: {len(client_ids)} ({time.monotonic() - started:.1f}s)")

    # --- holdings -----------------------------------------------------------------------
    h_cols = [
        "tenant_id",
        "client_id",
        "product_id",
        "kind",
        "account_number",
        "balance",
        "currency",
        "opened_on",
        "updated_at",
    ]
    now = datetime.now(UTC)
    rows: list[tuple] = []
    n_holdings = 0
    invest_cats = ["wealth", "fund", "insurance", "bond", "trust", "precious_metal"]
    for idx, cid in enumerate(client_ids):
        aum = client_aum[idx]
        parts = rng.randint(1, 4)
        weights = [rng.random() + 0.2 for _ in range(parts)]
        total_w = sum(weights)
        cats = ["deposit"] + rng.sample(invest_cats, k=parts - 1)
        for k, cat in enumerate(cats):
            product = rng.choice(by_cat[cat])
            balance = Decimal(aum * weights[k] / total_w).quantize(Decimal("0.01"))
            opened = (today - timedelta(days=rng.randrange(30, 3650))).date()
            rows.append(
                (
                    tenant_id,
                    cid,
                    product.pk,
                    cat,
                    f"62{cid:010d}{k:02d}",
                    balance,
                    "CNY",
                    opened,
                    now,
                )
            )
        if rng.random() < 0.18:
            loan = rng.choice(by_cat["loan"])
            balance = Decimal(rng.lognormvariate(13.5, 1.0)).quantize(Decimal("0.01"))
            rows.append(
                (
                    tenant_id,
                    cid,
                    loan.pk,
                    "loan",
                    f"66{cid:010d}01",
                    balance,
                    "CNY",
                    (today - timedelta(days=rng.randrange(30, 3650))).date(),
                    now,
                )
            )
        if len(rows) >= CHUNK * 3:
            insert_rows(Holding, h_cols, rows)
            n_holdings += len(rows)
            rows = []
    insert_rows(Holding, h_cols, rows)
    n_holdings += len(rows)
    ctx.say(f"  holdings: {n_holdings} ({time.monotonic() - started:.1f}s)")

    # --- transactions: ~10 per client, heavier for richer clients, over 15 months ------------
    t_cols = [
        "tenant_id",
        "client_id",
        "occurred_at",
        "amount",
        "currency",
        "direction",
        "category",
        "channel",
        "external_ref",
    ]
    rows = []
    n_tx = 0
    target = ctx.clients * 10
    for idx, cid in enumerate(client_ids):
        remaining_clients = len(client_ids) - idx
        share = (target - n_tx - len(rows)) / remaining_clients
        count = max(0, int(rng.expovariate(1 / share))) if share > 0 else 0
        if idx == len(client_ids) - 1:
            count = max(0, target - n_tx - len(rows))
        scale = max(client_aum[idx] / 50, 200)
        for _ in range(count):
            direction = "in" if rng.random() < 0.45 else "out"
            category = rng.choice(TX_CATEGORY_IN if direction == "in" else TX_CATEGORY_OUT)
            moment = today - timedelta(minutes=rng.randrange(60 * 24 * 455))
            amount = Decimal(rng.expovariate(1 / scale)).quantize(Decimal("0.01"))
            ref = f"T{n_tx + len(rows) + 1:010d}"
            rows.append(
                (
                    tenant_id,
                    cid,
                    moment,
                    amount,
                    "CNY",
                    direction,
                    category,
                    rng.choice(CHANNELS),
                    ref,
                )
            )
        if len(rows) >= CHUNK * 5:
            insert_rows(Transaction, t_cols, rows)
            n_tx += len(rows)
            rows = []
    insert_rows(Transaction, t_cols, rows)
    n_tx += len(rows)
    ctx.say(f"  transactions: {n_tx} ({time.monotonic() - started:.1f}s)")

    client_totals_recompute()
    result = tiering_recompute(reason="demo_seeded")
    ctx.say(
        f"  AUM and tiers: {result.changed} clients above standard ({time.monotonic() - started:.1f}s)"
    )
