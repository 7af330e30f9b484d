from django.core.management.base import BaseCommand, CommandError

from tenancy.audit import audit_verify_chain
from tenancy.context import tenant_scope
from tenancy.models import AuditEvent, Tenant


class Command(BaseCommand):
    help = "Verify every tenant's audit hash chain; exit 1 naming the first broken event."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="slug of one tenant (default: all)")

    def handle(self, *args, **opts):
        tenants = Tenant.objects.order_by("pk")
        if opts["tenant"]:
            tenants = tenants.filter(slug=opts["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant with slug {opts['tenant']!r}.")
        broken = 0
        for tenant in tenants:
            with tenant_scope(tenant):
                events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
                try:
                    failure = audit_verify_chain(events)
                finally:
                    events.close()  # release the server-side cursor inside the transaction
                count = AuditEvent.objects.count()
            if failure:
                broken += 1
                self.stderr.write(
                    f"{tenant.slug}: BROKEN at audit event id={failure.event_id} seq={failure.seq}: "
                    f"{failure.reason}"
                )
            else:
                self.stdout.write(f"{tenant.slug}: ok ({count} events)")
        if broken:
            raise CommandError(f"{broken} tenant chain(s) broken.", returncode=1)
