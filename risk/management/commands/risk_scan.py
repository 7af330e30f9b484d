import time

from django.core.management.base import BaseCommand, CommandError

from risk.scan import scan_tenant
from tenancy.context import tenant_scope
from tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Run the early-warning scan now (what the periodic task does): opens at most one "
        "alert per client and kind, resolves the alerts whose condition has cleared."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="slug of one tenant (default: all)")

    def handle(self, *args, **opts):
        tenants = Tenant.objects.order_by("pk")
        if opts["tenant"]:
            tenants = tenants.filter(slug=opts["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant with slug {opts['tenant']!r}.")
        for tenant in tenants:
            started = time.monotonic()
            with tenant_scope(tenant):
                result = scan_tenant()
            opened = ", ".join(f"{k} {v}" for k, v in sorted(result.opened.items()) if v) or "none"
            self.stdout.write(
                f"{tenant.slug}: opened {result.opened_total} ({opened}); "
                f"cleared {result.cleared_total}; open now {result.open_total}; "
                f"{time.monotonic() - started:.1f} s"
            )
