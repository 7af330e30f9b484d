from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        from clients.sections import register_client_section
        from tenancy.administration import register_manage_tile
        from tenancy.layout import register_nav_item
        from tenancy.my_day import register_my_day_section

        from .policy import DESK_ROLES
        from .sections import client_section_context, my_day_context

        register_nav_item(order=40, url_name="risk:desk", label=_("Risk desk"), roles=DESK_ROLES)
        register_manage_tile(
            order=60,
            url_name="risk:settings",
            title=_("Risk settings"),
            text=_(
                "Weights, capital and caps, haircuts, review cadences, alerts, the master scale."
            ),
        )
        register_client_section(
            order=28, template="risk/_client_section.html", context=client_section_context
        )
        register_my_day_section(order=20, template="risk/_my_day.html", context=my_day_context)

        from tenancy.audit_display import register_audit_events

        from .audit_events import EVENTS, OBJECTS

        register_audit_events(app="risk", events=EVENTS, objects=OBJECTS)

        from clients.cadence import register_cadence_tightener

        from .watchlist import CADENCE_FACTOR, on_watch_list_q

        # watch-listed clients are due for a revisit sooner (clients/cadence.py)
        register_cadence_tightener(key="risk.watch_list", q=on_watch_list_q, factor=CADENCE_FACTOR)

        from clients.demo import register_client_columns
        from tenancy.demo import register_seeder
        from tenancy.schedules import register_schedule

        from .demo import plan_kyc, seed_risk

        register_seeder(order=60, seeder=seed_risk)
        register_client_columns(order=60, planner=plan_kyc)

        register_schedule(
            name="risk: review calendar reminders",
            task="risk.tasks.review_reminders_sweep",
            crontab="30 22 * * *",  # 06:30 in China (UTC+8), early morning for the default tenants
        )
        register_schedule(
            name="risk: early-warning scan",
            task="risk.tasks.risk_scan_sweep",
            crontab="0 22 * * *",  # 06:00 in China, after the nightly core-banking imports
        )
