from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationsConfig(AppConfig):
    name = "communications"
    verbose_name = _("Communications")

    def ready(self) -> None:
        from clients.sections import register_client_section
        from tenancy.administration import register_manage_tile
        from tenancy.demo import register_seeder
        from tenancy.layout import register_nav_item, register_topbar_item
        from tenancy.models import Role
        from tenancy.my_day import register_my_day_section
        from tenancy.schedules import register_schedule

        register_nav_item(
            order=30,
            url_name="communications:followups",
            label=_("Follow-ups"),
            roles=(Role.RM, Role.BRANCH_HEAD, Role.ADMIN),
        )
        register_topbar_item(order=10, template="communications/_nav_badge.html")

        from tenancy.notify import register_notification_sink

        from .services.interactions import notifications_write

        register_notification_sink(key="communications.notifications", sink=notifications_write)

        from clients.demo import register_client_columns

        from .demo import plan_last_contacts, seed_communications
        from .sections import (
            client_section_context,
            followup_entries,
            interaction_entries,
            my_day_context,
        )
        from .timeline import register_timeline_source

        register_timeline_source(name="interaction", entries=interaction_entries)
        register_timeline_source(name="followup", entries=followup_entries)
        register_client_section(
            order=30, template="communications/_client_section.html", context=client_section_context
        )
        register_my_day_section(
            order=10, template="communications/_my_day.html", context=my_day_context
        )
        register_manage_tile(
            order=40,
            url_name="communications:settings",
            title=_("Contact rules"),
            text=_("Edit window of call reports, revisit cadence per tier, digest hour."),
        )
        register_schedule(
            name="communications: due follow-up reminders",
            task="communications.tasks.followup_reminders_sweep",
            every_minutes=5,
        )
        # every 15 minutes: each tenant's digest goes out at its own local morning
        register_schedule(
            name="communications: overdue digest to branch heads",
            task="communications.tasks.overdue_digest_sweep",
            every_minutes=15,
        )
        register_schedule(
            name="communications: revisit cadence",
            task="communications.tasks.revisit_cadence_sweep",
            crontab="10 22 * * *",
        )  # daily, 06:10 in Asia/Shanghai
        register_seeder(order=50, seeder=seed_communications)
        register_client_columns(order=50, planner=plan_last_contacts)

        from tenancy.audit_display import register_audit_events

        from .audit_events import EVENTS, OBJECTS

        register_audit_events(app="communications", events=EVENTS, objects=OBJECTS)
