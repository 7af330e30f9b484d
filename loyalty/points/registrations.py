"""What points and rewards register with the rest of Steward (called from
``LoyaltyConfig.ready``): nav items, manage tiles, the client 360° points
section, audit event names, the demo seeder and the nightly schedules."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

EVENTS = {
    "loyalty.points_adjusted": _("Points adjusted"),
    "loyalty.points_adjustment_requested": _("Points adjustment waiting for a second admin"),
    "loyalty.points_adjustment_approved": _("Points adjustment approved"),
    "loyalty.points_adjustment_rejected": _("Points adjustment rejected"),
    "loyalty.points_earned": _("Points earned by the earn rules"),
    "loyalty.points_expired": _("Points expired"),
    "loyalty.points_settings_updated": _("Points settings changed"),
    "loyalty.reward_created": _("Reward added"),
    "loyalty.reward_updated": _("Reward changed"),
    "loyalty.reward_redeemed": _("Reward redeemed"),
}


def register() -> None:
    from clients.sections import register_client_section
    from tenancy.administration import register_manage_tile
    from tenancy.audit_display import AuditObject, register_audit_events
    from tenancy.demo import register_seeder
    from tenancy.layout import register_nav_item
    from tenancy.schedules import register_schedule

    from .. import tasks_points  # noqa: F401  (registers the Celery tasks)
    from ..demo_points import seed_points
    from .policy import LIABILITY_ROLES
    from .sections import client_points_context

    register_nav_item(
        order=56,
        url_name="loyalty:points_liability",
        label=_("Points liability"),
        roles=LIABILITY_ROLES,
    )
    register_manage_tile(
        order=69,
        url_name="loyalty:rewards",
        title=_("Rewards catalogue"),
        text=_("Rewards for points: cost, stock, minimum tier."),
    )
    register_manage_tile(
        order=70,
        url_name="loyalty:points_settings",
        title=_("Points settings"),
        text=_("Expiry, value per point, the four-eyes threshold and the earn rules."),
    )
    register_manage_tile(
        order=71,
        url_name="loyalty:points_approvals",
        title=_("Points approvals"),
        text=_("Adjustments above the four-eyes threshold, waiting for a second admin."),
    )
    register_client_section(
        order=40, template="loyalty/points/_client_section.html", context=client_points_context
    )
    register_audit_events(
        app="loyalty.points",
        events=EVENTS,
        objects={
            "loyalty.pointsentry": AuditObject(label=_("Points entry")),
            "loyalty.pointsadjustmentrequest": AuditObject(
                label=_("Points adjustment"), url=lambda pk: reverse("loyalty:points_approvals")
            ),
            "loyalty.pointssettings": AuditObject(label=_("Points settings")),
            "loyalty.reward": AuditObject(
                label=_("Reward"),
                url=lambda pk: reverse("loyalty:reward_edit", args=[int(pk)]),
            ),
            "loyalty.redemption": AuditObject(label=_("Redemption")),
        },
    )
    register_seeder(order=80, seeder=seed_points)
    register_schedule(
        name="loyalty: points earn rules",
        task="loyalty.tasks_points.points_earn_sweep",
        crontab="30 19 * * *",  # 03:30 in China (UTC+8), after the nightly transaction import
    )
    register_schedule(
        name="loyalty: points expiry",
        task="loyalty.tasks_points.points_expiry_sweep",
        crontab="0 20 * * *",  # 04:00 in China, after the earn rules
    )
