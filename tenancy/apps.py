from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import receivers, rls  # noqa: F401  (connects auth signal receivers)

        post_migrate.connect(rls.apply_row_level_security, dispatch_uid="tenancy.rls")
