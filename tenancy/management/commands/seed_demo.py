"""A deterministic demo bank. Tenant, branch tree and staff are built here;
each app's registered seeder adds its data (see tenancy.demo). The demo
bank is Chinese, so its records are in Chinese only (the UI translates its own
strings, never data)."""

import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tenancy.audit import audit_record
from tenancy.context import tenant_scope
from tenancy.demo import SeedContext, background_inserts, run_seeders
from tenancy.models import Branch, Role, Tenant, User
from tenancy.services import _branch_save

DEMO_SLUG = "demo"
DEMO_PASSWORD = "Steward-demo-2026"  # printed below; demo data only
DEMO_LOGINS = [
    ("demo_admin", Role.ADMIN, "总行", "王", "敏"),
    ("demo_head", Role.BRANCH_HEAD, "上海浦东支行", "李", "强"),
    ("demo_rm", Role.RM, "上海浦东支行", "张", "伟"),
    ("demo_risk", Role.RISK_OFFICER, "总行", "陈", "静"),
    ("demo_compliance", Role.COMPLIANCE, "总行", "刘", "洋"),
]
REGIONS = {
    "华东分行": ["上海浦东支行", "上海静安支行", "杭州西湖支行"],
    "华北分行": ["北京朝阳支行", "北京海淀支行"],
    "华南分行": ["深圳南山支行", "广州天河支行"],
}
RM_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
RM_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚"


def _regions(branches: int) -> dict[str, list[str]]:
    """The named branches, then numbered ones (华东第8支行, ...) added to the
    regions in turn until there are ``branches``."""
    regions = {region: list(names) for region, names in REGIONS.items()}
    count = sum(len(names) for names in regions.values())
    for i in range(max(0, branches - count)):
        region = list(regions)[i % len(regions)]
        regions[region].append(f"{region[:2]}第{count + i + 1}支行")
    return regions


class Command(BaseCommand):
    help = "Create (or recreate) the deterministic demo bank and print its logins."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=300)
        parser.add_argument("--interactions", type=int, default=1500)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--rms-per-branch", type=int, default=3)
        parser.add_argument(
            "--branches",
            type=int,
            default=sum(len(names) for names in REGIONS.values()),
            help="branches (leaves of the tree) at least; beyond the named ones, numbered "
            "branches are added to the regions in turn (for benchmarks)",
        )
        parser.add_argument(
            "--skip-if-exists", action="store_true", help="do nothing when the demo bank exists"
        )

    def handle(self, *args, **opts):
        if Tenant.objects.filter(slug=DEMO_SLUG).exists():
            if opts["skip_if_exists"]:
                self.stdout.write(
                    f"Demo bank already present; logins as before (password {DEMO_PASSWORD})."
                )
                return
            raise CommandError(
                "The demo tenant already exists. Start from an empty database (make demo-reset)."
            )
        rng = random.Random(opts["seed"])
        password = make_password(DEMO_PASSWORD)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # foreign keys checked at the end of each statement, not all at the commit:
                # millions of deferred checks at bench size (every row references its
                # tenant and most a client) ran faster while the rows they read are fresh
                # in the cache, and a broken reference names the seeder that made it
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            tenant = Tenant.objects.create(name="演示银行", slug=DEMO_SLUG)
            with tenant_scope(tenant):
                head = _branch_save(Branch(name="总行", code="HO", level=Branch.Level.HEAD_OFFICE))
                branches = [head]
                by_name = {head.name: head}
                for region_name, branch_names in _regions(opts["branches"]).items():
                    region = _branch_save(
                        Branch(name=region_name, level=Branch.Level.REGION, parent=head)
                    )
                    branches.append(region)
                    for name in branch_names:
                        b = _branch_save(
                            Branch(name=name, level=Branch.Level.BRANCH, parent=region)
                        )
                        branches.append(b)
                        by_name[name] = b
                staff: dict[str, list[User]] = {role: [] for role in Role.values}
                for username, role, branch_name, last, first in DEMO_LOGINS:
                    u = User.objects.create(
                        username=username,
                        password=password,
                        tenant=tenant,
                        role=role,
                        branch=by_name[branch_name],
                        last_name=last,
                        first_name=first,
                        email=f"{username}@demo-bank.example",
                    )
                    staff[role].append(u)
                leaf_branches = [b for b in branches if b.level == Branch.Level.BRANCH]
                extra_staff = []
                n = 0
                for b in leaf_branches:
                    if b.name != "上海浦东支行":
                        extra_staff.append(
                            User(
                                username=f"demo_head_{b.pk}",
                                password=password,
                                tenant=tenant,
                                role=Role.BRANCH_HEAD,
                                branch=b,
                                last_name=rng.choice(RM_SURNAMES),
                                first_name=rng.choice(RM_GIVEN),
                            )
                        )
                    for _ in range(opts["rms_per_branch"]):
                        n += 1
                        extra_staff.append(
                            User(
                                username=f"demo_rm_{n:03d}",
                                password=password,
                                tenant=tenant,
                                role=Role.RM,
                                branch=b,
                                last_name=rng.choice(RM_SURNAMES),
                                first_name=rng.choice(RM_GIVEN),
                            )
                        )
                for u in User.objects.bulk_create(extra_staff):
                    staff[u.role].append(u)
                audit_record(action="demo.seeded", target=tenant, data={"seed": opts["seed"]})
                ctx = SeedContext(
                    tenant=tenant,
                    seed=opts["seed"],
                    clients=opts["clients"],
                    interactions=opts["interactions"],
                    rng=rng,
                    branches=branches,
                    staff=staff,
                    stdout=self.stdout,
                )
                # the seeders' bulk inserts overlap their Python work (two cores)
                with background_inserts():
                    run_seeders(ctx)
        if connection.vendor == "postgresql":
            # fresh planner statistics for the bulk-loaded tables (autovacuum may be off or late;
            # without them the first pages plan 100k-row tables as if empty)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo bank ready (tenant id {tenant.pk}). Logins, password {DEMO_PASSWORD}:"
            )
        )
        for username, role, branch_name, *_ in DEMO_LOGINS:
            self.stdout.write(f"  {username:<16} {Role(role).label} · {branch_name}")
