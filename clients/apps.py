from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from tenancy.administration import register_manage_tile
        from tenancy.demo import register_seeder
        from tenancy.layout import register_nav_item
        from tenancy.schedules import register_schedule

        from .demo import seed_portfolio
        from .sections import register_client_section
        from .views import portfolio as v

        register_nav_item(order=20, url_name="clients:list", label=_("Clients"))
        # 360° page: holdings and AUM, 12-month summary, preferences, recommendations
        register_client_section(
            order=20,
            template="clients/portfolio/_section_holdings.html",
            context=v.holdings_section,
        )
        register_client_section(
            order=22,
            template="clients/portfolio/_section_transactions.html",
            context=v.transactions_section,
        )
        register_client_section(
            order=24,
            template="clients/portfolio/_section_preferences.html",
            context=v.preferences_section,
        )
        register_client_section(
            order=26,
            template="clients/portfolio/_section_recommendations.html",
            context=v.recommendations_section,
        )
        # /manage/
        register_manage_tile(
            order=10,
            url_name="clients:bulk_reassign",
            title=_("Manager assignment"),
            text=_(
                "Reassign clients in bulk: all clients of a departing manager, or a list, with a preview."
            ),
        )
        register_manage_tile(
            order=30,
            url_name="clients:products",
            title=_("Product catalogue"),
            text=_("Products with risk level, ESG and VIP flags, minimum investment."),
        )
        register_manage_tile(
            order=32,
            url_name="clients:tiers",
            title=_("Tiering"),
            text=_("Thresholds for platinum, gold and silver clients."),
        )
        register_manage_tile(
            order=34,
            url_name="clients:imports",
            title=_("Data imports"),
            text=_("CSV files of clients, holdings and transactions from core banking."),
        )
        register_schedule(
            name="clients: nightly tiering",
            task="clients.tasks.tiering_nightly",
            crontab="30 18 * * *",
        )  # 02:30 Asia/Shanghai
        register_schedule(
            name="clients: delete old import files",
            task="clients.tasks.import_files_sweep",
            every_minutes=60,
        )
        register_seeder(order=20, seeder=seed_portfolio)
