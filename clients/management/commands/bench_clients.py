"""Benchmark (not a test): generate core-banking CSVs into var/bench/, import
them into a fresh tenant (dry run, real run, re-import), and time the client
list query for an RM and an admin.

    python manage.py bench_clients --clients 100000 --holdings 200000 --transactions 1000000
"""

from __future__ import annotations

import csv
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from clients.access import visible_clients
from clients.imports import import_run
from clients.models import Client, Holding, Transaction
from tenancy.context import tenant_scope
from tenancy.demo import staff_bulk_create
from tenancy.models import Branch, Role, User
from tenancy.selectors import tenant_staff
from tenancy.services import _branch_save, tenant_create


class Command(BaseCommand):
    help = "Time CSV imports of clients, holdings and transactions and the client list at scale."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=100_000)
        parser.add_argument("--holdings", type=int, default=200_000)
        parser.add_argument("--transactions", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **o):
        rng = random.Random(o["seed"])
        out = Path(settings.VAR_DIR) / "bench"
        out.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        tenant = tenant_create(
            name=f"Bench {stamp}",
            slug=f"bench-{stamp}",
            admin_username=f"bench_admin_{stamp}",
            admin_password=secrets.token_urlsafe(18),
        )
        with tenant_scope(tenant):
            admin = tenant_staff().get(role=Role.ADMIN)
            head = Branch.objects.get(parent__isnull=True)
            branches = [
                _branch_save(Branch(name=f"B{i}", code=f"B{i:02d}", parent=head)) for i in range(10)
            ]
            rms = staff_bulk_create(
                [
                    User(
                        username=f"bench_rm_{stamp}_{i}",
                        tenant=tenant,
                        role=Role.RM,
                        branch=branches[i % 10],
                    )
                    for i in range(50)
                ]
            )
        files = self._generate(out, rng, o, branches, rms)
        self.stdout.write(f"Tenant {tenant.slug}; files in {out}")
        for kind in ("clients", "holdings", "transactions"):
            for label, dry in (("dry run", True), ("import", False), ("re-import", False)):
                with tenant_scope(tenant):
                    t0 = time.perf_counter()
                    with files[kind].open("rb") as stream:
                        report = import_run(
                            actor=admin,
                            kind=kind,
                            stream=stream,
                            dry_run=dry,
                            file_name=files[kind].name,
                        )
                    took = time.perf_counter() - t0
                self.stdout.write(
                    f"{kind:<13} {label:<9} {took:8.1f}s  rows={report.rows_total} created={report.created} "
                    f"updated={report.updated} unchanged={report.unchanged} errors={len(report.errors)} "
                    f"{report.extra or ''}"
                )
                if not dry and connection.vendor == "postgresql":
                    # what autovacuum would do soon after a bulk load (it may be off on a dev machine)
                    t0 = time.perf_counter()
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE")
                    self.stdout.write(
                        f"{'':<13} ANALYZE   {time.perf_counter() - t0:8.1f}s (not counted)"
                    )
        with tenant_scope(tenant):
            counts = (Client.objects.count(), Holding.objects.count(), Transaction.objects.count())
        self.stdout.write(
            f"rows in tenant: clients={counts[0]} holdings={counts[1]} transactions={counts[2]}"
        )
        rm = rms[0]
        for who in (rm, admin):
            with tenant_scope(tenant):
                t0 = time.perf_counter()
                qs = (
                    visible_clients(who)
                    .select_related("branch", "dedicated_manager")
                    .order_by("name", "id")
                )
                total = qs.count()
                page = list(qs[:50])
                first = time.perf_counter() - t0
                t0 = time.perf_counter()
                page = list(qs.filter(tier="gold")[:50])
                filtered = time.perf_counter() - t0
            self.stdout.write(
                f"client list {who.role:<6} visible={total:>7} first page {first * 1000:7.1f} ms, "
                f"gold filter {filtered * 1000:7.1f} ms ({len(page)} rows)"
            )

    def _generate(self, out: Path, rng, o, branches, rms) -> dict[str, Path]:
        t0 = time.perf_counter()
        paths = {k: out / f"{k}.csv" for k in ("clients", "holdings", "transactions")}
        n = o["clients"]
        with paths["clients"].open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(
                [
                    "external_id",
                    "name",
                    "kind",
                    "branch_code",
                    "manager",
                    "national_id",
                    "phone",
                    "email",
                    "address",
                    "risk_tolerance",
                    "lifecycle",
                    "credit_rating",
                    "interests",
                ]
            )
            for i in range(n):
                rm = rms[i % len(rms)]
                w.writerow(
                    [
                        f"X{i:08d}",
                        f"客户{i}",
                        "individual",
                        f"B{(i % len(rms)) % 10:02d}",
                        rm.username,
                        f"1101011980{i:08d}",
                        f"138{i:08d}",
                        f"c{i}@example.com",
                        f"上海市{i}号",
                        rng.choice(
                            ["conservative", "moderate", "balanced", "growth", "aggressive"]
                        ),
                        "active",
                        rng.choice(["", "", "A", "BBB", "BB"]),
                        rng.choice(["", "esg", "golf;esg"]),
                    ]
                )
        with paths["holdings"].open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(
                ["client_external_id", "account_number", "kind", "balance", "currency", "opened_on"]
            )
            for j in range(o["holdings"]):
                w.writerow(
                    [
                        f"X{j % n:08d}",
                        f"AC{j:010d}",
                        rng.choice(["deposit", "fund", "wealth", "loan"]),
                        f"{rng.lognormvariate(12, 1.5):.2f}",
                        "CNY",
                        "2021-03-04",
                    ]
                )
        start = datetime.now(UTC) - timedelta(days=360)
        with paths["transactions"].open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(
                [
                    "external_ref",
                    "client_external_id",
                    "occurred_at",
                    "amount",
                    "currency",
                    "direction",
                    "category",
                    "channel",
                ]
            )
            for k in range(o["transactions"]):
                moment = start + timedelta(minutes=rng.randrange(60 * 24 * 355))
                w.writerow(
                    [
                        f"TX{k:010d}",
                        f"X{rng.randrange(n):08d}",
                        moment.isoformat(timespec="seconds"),
                        f"{rng.expovariate(1 / 5000):.2f}",
                        "CNY",
                        rng.choice(["in", "out"]),
                        rng.choice(["deposit", "fund", "card", "transfer"]),
                        "mobile",
                    ]
                )
        self.stdout.write(f"generated CSVs in {time.perf_counter() - t0:.1f}s")
        return paths
