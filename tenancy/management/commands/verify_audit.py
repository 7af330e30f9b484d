from django.core.management.base import BaseCommand, CommandError

from tenancy.audit import (
    ChainBreak,
    audit_checkpoint_path,
    audit_checkpoint_write,
    audit_checkpoints_read,
    audit_verify,
)
from tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Verify every tenant's keyed audit chain and compare it with the latest signed "
        "checkpoint; exit 1 naming the tenant and the first broken event. "
        "--checkpoint then records the head of every intact chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="slug of one tenant (default: all)")
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="after verifying, append a signed checkpoint of each intact chain's head",
        )

    def handle(self, *args, **opts):
        tenants = Tenant.objects.order_by("pk")
        if opts["tenant"]:
            tenants = tenants.filter(slug=opts["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant with slug {opts['tenant']!r}.")
        checkpoints = audit_checkpoints_read()
        path = audit_checkpoint_path()
        broken = 0
        for number in checkpoints.bad_lines:
            broken += 1
            self.stderr.write(
                f"checkpoint file {path} line {number}: BROKEN signature (edited or forged)"
            )
        seen = set()
        for tenant in tenants:
            seen.add(tenant.pk)
            result = audit_verify(tenant=tenant, checkpoints=checkpoints)
            if isinstance(result, ChainBreak):
                broken += 1
                self.stderr.write(
                    f"{tenant.slug}: BROKEN at audit event id={result.event_id} seq={result.seq}: "
                    f"{result.reason}"
                )
                continue
            checkpoint = checkpoints.latest.get(tenant.pk)
            against = f", checkpoint of {checkpoint['at']}" if checkpoint else ", no checkpoint"
            self.stdout.write(f"{tenant.slug}: ok ({result.count} events{against})")
            if opts["checkpoint"]:
                audit_checkpoint_write(tenant=tenant, head=result)
        if not opts["tenant"]:
            for tenant_id, checkpoint in sorted(checkpoints.latest.items()):
                if tenant_id not in seen:
                    broken += 1
                    self.stderr.write(
                        f"{checkpoint['slug']}: BROKEN: tenant id={tenant_id} has a checkpoint "
                        f"({checkpoint['count']} events) but is gone from the database"
                    )
        if opts["checkpoint"]:
            self.stdout.write(f"checkpoints appended to {path}")
        if broken:
            raise CommandError(f"{broken} audit problem(s) found.", returncode=1)
