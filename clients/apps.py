from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from tenancy.home import register_manage_tile

        register_manage_tile(
            order=10, url_name="clients:bulk_reassign", title=_("Manager assignment"),
            text=_("Reassign clients in bulk: all clients of a departing manager, or a list, with a preview."),
        )
