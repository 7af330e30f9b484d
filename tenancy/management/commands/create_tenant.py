from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenancy.services import tenant_create


class Command(BaseCommand):
    help = "Create a bank (tenant) with its head-office branch and one tenant admin; prints the tenant id."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--timezone", default="Asia/Shanghai")
        parser.add_argument("--locale", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, **opts):
        try:
            tenant = tenant_create(
                name=opts["name"],
                slug=opts["slug"],
                admin_username=opts["admin_username"],
                admin_password=opts["admin_password"],
                timezone=opts["timezone"],
                locale=opts["locale"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        self.stdout.write(str(tenant.pk))
