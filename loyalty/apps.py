from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        self._ready_surveys()
        self._ready_points()
        self._ready_events()

    def _ready_surveys(self) -> None:
        """Satisfaction surveys (loyalty/surveys/, README "Satisfaction surveys")."""
        from django.db.models.signals import post_save

        from clients.sections import register_client_section
        from clients.timeline import register_timeline_source
        from tenancy.administration import register_manage_tile
        from tenancy.audit_display import register_audit_events
        from tenancy.layout import register_nav_item
        from tenancy.models import Role, Tenant
        from tenancy.my_day import register_my_day_section
        from tenancy.schedules import register_schedule

        from .surveys.audit_events import EVENTS, OBJECTS
        from .surveys.receivers import tenant_created
        from .surveys.sections import client_section_context, my_day_context, survey_entries

        # RMs reach /loyalty/ from My day's recovery section (their menu stays three items)
        register_nav_item(
            order=50,
            url_name="loyalty:dashboard",
            label=_("Loyalty"),
            roles=(Role.ADMIN, Role.BRANCH_HEAD, Role.COMPLIANCE),
        )
        register_manage_tile(
            order=70,
            url_name="loyalty:survey_settings",
            title=_("Satisfaction surveys"),
            text=_("Survey templates, intervals, reminders, link validity, the referral ask."),
        )
        register_client_section(
            order=32, template="loyalty/_client_section.html", context=client_section_context
        )
        register_my_day_section(order=15, template="loyalty/_my_day.html", context=my_day_context)
        register_timeline_source(name="survey", entries=survey_entries)
        register_audit_events(app="loyalty.surveys", events=EVENTS, objects=OBJECTS)
        register_schedule(
            name="loyalty: satisfaction survey dispatch",
            task="loyalty.tasks.survey_dispatch_sweep",
            crontab="0 2 * * *",  # 10:00 in China (UTC+8): invitations arrive in office hours
        )
        # every new tenant starts with an active NPS template
        post_save.connect(tenant_created, sender=Tenant, dispatch_uid="loyalty.surveys.tenant")

        from tenancy.demo import register_seeder

        from .surveys.demo import seed_surveys

        register_seeder(order=75, seeder=seed_surveys)

    def _ready_points(self) -> None:
        """Points and rewards (loyalty/points/, README \"Points and rewards\")."""
        from .points.registrations import register as register_points

        register_points()

    def _ready_events(self) -> None:
        """Client-care events (loyalty/events/, README "Client-care events")."""
        from .events.registrations import register as register_events

        register_events()
