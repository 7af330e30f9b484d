"""What performance registers with the rest of Steward (``PerformanceConfig.ready``):
the nav item, the manage tile, audit event names, the nightly schedule and the
demo seeder."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "performance.weights_updated": _("KPI weights changed"),
    "performance.definition_created": _("KPI added"),
    "performance.definition_updated": _("KPI changed"),
    "performance.guardrail_added": _("KPI guardrail rule added"),
    "performance.period_closed": _("KPI period closed"),
    "performance.period_corrected": _("Closed KPI period corrected"),
    "performance.exported": _("KPI scorecards exported"),
}


def register() -> None:
    from tenancy.audit_display import AuditObject, register_audit_events
    from tenancy.schedules import register_schedule

    from . import tasks  # noqa: F401  (registers the Celery tasks)

    register_audit_events(
        app="performance",
        events=EVENTS,
        objects={
            "performance.kpisettings": AuditObject(label=_("KPI weights")),
            "performance.kpidefinition": AuditObject(label=_("KPI definition")),
            "performance.kpiguardrailrule": AuditObject(label=_("KPI guardrail rule")),
            "performance.kpiperiodclose": AuditObject(label=_("KPI period")),
        },
    )
    register_schedule(
        name="performance: nightly KPI snapshots",
        task="performance.tasks.kpi_snapshot_sweep",
        crontab="0 21 * * *",  # 05:00 in China (UTC+8), after the points and risk jobs
    )
