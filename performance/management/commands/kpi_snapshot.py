import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from performance import periods
from performance.snapshots import snapshot_run
from tenancy.context import tenant_scope
from tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Compute (or recompute, while the period is open) the KPI snapshots now — what the "
        "nightly task does; the current month by default. A closed period is left frozen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="slug of one tenant (default: all)")
        parser.add_argument("--period", help="YYYY-MM (default: the current month)")

    def handle(self, *args, **opts):
        if opts["period"]:
            try:
                periods.parse_period(opts["period"])
            except ValidationError as exc:
                raise CommandError(f"--period: {'; '.join(exc.messages)}") from None
        tenants = Tenant.objects.order_by("pk")
        if opts["tenant"]:
            tenants = tenants.filter(slug=opts["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant with slug {opts['tenant']!r}.")
        for tenant in tenants:
            started = time.monotonic()
            try:
                with tenant_scope(tenant):
                    result = snapshot_run(opts["period"] or None)
            except ValidationError as exc:
                raise CommandError(f"--period: {'; '.join(exc.messages)}") from None
            elapsed = time.monotonic() - started
            if result.frozen:
                self.stdout.write(
                    f"{tenant.slug}: {result.period} is closed; its snapshots stay as they are "
                    "(an admin corrects a closed period as a new version)"
                )
            else:
                self.stdout.write(
                    f"{tenant.slug}: {result.period}: {result.rows} snapshots; {elapsed:.1f} s"
                )
