"""What performance registers with the rest of Steward (``PerformanceConfig.ready``):
the nav item, the manage tile, audit event names, the nightly schedule and the
demo seeder."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "performance.weights_updated": _("KPI weights changed"),
    "performance.rates_updated": _("KPI revenue rates or alert SLAs changed"),
    "performance.definition_created": _("KPI added"),
    "performance.definition_updated": _("KPI changed"),
    "performance.guardrail_added": _("KPI guardrail rule added"),
    "performance.period_closed": _("KPI period closed"),
    "performance.period_corrected": _("Closed KPI period corrected"),
    "performance.exported": _("KPI scorecards exported"),
    "performance.training_recorded": _("Training recorded"),
    "performance.certification_requirement_changed": _("Certification requirement changed"),
    "performance.action_set": _("Improvement action set"),
    "performance.action_done": _("Improvement action done"),
    "performance.action_dropped": _("Improvement action dropped"),
}


def register() -> None:
    from clients.recommendation_gates import register_product_gate
    from tenancy.administration import register_manage_tile
    from tenancy.audit_display import AuditObject, register_audit_events
    from tenancy.demo import register_seeder
    from tenancy.layout import register_nav_item
    from tenancy.models import Role
    from tenancy.my_day import register_my_day_section
    from tenancy.schedules import register_schedule

    from . import tasks, tasks_training  # noqa: F401  (registers the Celery tasks)
    from .demo import seed_performance
    from .demo_training import seed_trainings
    from .sections import my_day_context
    from .training import certified_products

    # RMs reach their scorecard from My day (their menu stays three items)
    register_nav_item(
        order=60,
        url_name="performance:dashboard",
        label=_("Performance"),
        roles=(Role.ADMIN, Role.BRANCH_HEAD),
    )
    register_manage_tile(
        order=75,
        url_name="performance:settings",
        title=_("KPI weights"),
        text=_(
            "Weights of the four dimensions, KPI floors and targets, the guardrail, closing a month."
        ),
    )
    register_my_day_section(order=40, template="performance/_my_day.html", context=my_day_context)
    register_audit_events(
        app="performance",
        events=EVENTS,
        objects={
            "performance.kpisettings": AuditObject(label=_("KPI weights")),
            "performance.kpidefinition": AuditObject(label=_("KPI definition")),
            "performance.kpiguardrailrule": AuditObject(label=_("KPI guardrail rule")),
            "performance.kpiperiodclose": AuditObject(label=_("KPI period")),
            "performance.kpisnapshot": AuditObject(label=_("KPI scorecards")),
            "performance.training": AuditObject(label=_("Training record")),
            "performance.certificationrequirement": AuditObject(
                label=_("Certification requirement")
            ),
            "performance.improvementaction": AuditObject(label=_("Improvement action")),
        },
    )
    register_schedule(
        name="performance: nightly KPI snapshots",
        task="performance.tasks.kpi_snapshot_sweep",
        crontab="0 21 * * *",  # 05:00 in China (UTC+8), after the points and risk jobs
    )
    register_seeder(order=90, seeder=seed_performance)
    # training and certification (part 2a)
    register_manage_tile(
        order=76,
        url_name="performance:trainings",
        title=_("Training and certification"),
        text=_("Training records of staff, and the certification each product category requires."),
    )
    register_product_gate(key="performance.certifications", gate=certified_products)
    register_schedule(
        name="performance: certification expiry reminders",
        task="performance.tasks_training.certification_reminder_sweep",
        crontab="30 0 * * *",  # 08:30 in China (UTC+8)
    )
    register_seeder(order=91, seeder=seed_trainings)
