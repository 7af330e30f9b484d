from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    default = True
    name = "tenancy"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # receivers and twofactor connect auth signals (audit; 2FA enrolment in the session)
        from . import receivers, rls, schedules, twofactor  # noqa: F401
        from .administration import register_manage_tile
        from .layout import register_topbar_item

        register_topbar_item(order=90, template="registration/_nav_security.html")
        register_manage_tile(
            order=5,
            url_name="tenancy:security",
            title=_("Login security"),
            text=_("Require two-factor login for every staff member."),
        )
        post_migrate.connect(rls.apply_row_level_security, dispatch_uid="tenancy.rls")
        post_migrate.connect(schedules.sync_schedules, dispatch_uid="tenancy.schedules")

        # every model DateTimeField of an API serializer refuses years the database and
        # the time-zone conversion cannot hold (a 400, not a 500 on every later read)
        from django.db import models
        from rest_framework import serializers

        from .api_fields import BoundedDateTimeField

        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = (
            BoundedDateTimeField
        )

        from django.conf import settings

        schedules.register_schedule(
            name="tenancy: audit chain checkpoints",
            task="tenancy.tasks.audit_checkpoint_sweep",
            every_minutes=settings.AUDIT_CHECKPOINT_MINUTES,
        )

        from .layout import register_nav_item
        from .models import Role

        register_nav_item(order=10, url_name="home", label=_("My day"))
        register_nav_item(
            order=80,
            url_name="tenancy:audit",
            label=_("Audit trail"),
            roles=(Role.COMPLIANCE, Role.ADMIN),
        )
        register_nav_item(
            order=90, url_name="tenancy:manage", label=_("Administration"), roles=(Role.ADMIN,)
        )


class PlatformAdminConfig(admin_apps.AdminConfig):
    """Django's admin as the platform admin (superusers without a tenant)."""

    default = False
    default_site = "tenancy.admin_site.PlatformAdminSite"
