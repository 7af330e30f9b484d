"""How the audit trail names risk's events and objects (registered with
tenancy.audit_display in apps.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenancy.audit_display import AuditObject

EVENTS = {
    "risk.settings_updated": _("Risk settings changed"),
    "risk.scale_updated": _("Master scale changed (review months, PD)"),
    "risk.assessment_created": _("Risk assessment drafted"),
    "risk.assessment_updated": _("Risk assessment draft changed"),
    "risk.assessment_submitted": _("Risk assessment submitted for approval"),
    "risk.assessment_approved": _("Risk assessment approved"),
    "risk.assessment_rejected": _("Risk assessment rejected"),
    "risk.classification_set": _("Five-category classification set"),
    "risk.collateral_created": _("Collateral registered"),
    "risk.collateral_updated": _("Collateral changed"),
    "risk.credit_limit_created": _("Credit limit set"),
    "risk.scan_completed": _("Early-warning scan run"),
    "risk.alert_acknowledged": _("Risk alert acknowledged"),
    "risk.alert_resolved": _("Risk alert resolved"),
    "risk.alert_noted": _("Risk alert note changed"),
    "risk.watch_list_added": _("Client put on the watch list"),
    "risk.watch_list_removed": _("Client taken off the watch list"),
    "risk.loan_arrears_set": _(
        "Days past due recorded"
    ),  # events before days past due moved to holdings
}

OBJECTS = {
    "risk.riskassessment": AuditObject(
        label=_("Risk assessment"),
        url=lambda pk: reverse("risk:assessment_detail", args=[int(pk)]),
    ),
    "risk.collateral": AuditObject(label=_("Collateral")),
    "risk.creditlimit": AuditObject(label=_("Credit limit")),
    "risk.clientclassification": AuditObject(label=_("Classification")),
    "risk.loanarrears": AuditObject(label=_("Days past due")),
    "risk.risksettings": AuditObject(label=_("Risk settings")),
    "risk.riskalert": AuditObject(
        label=_("Risk alert"), url=lambda pk: reverse("risk:alert_detail", args=[int(pk)])
    ),
    "risk.scan": AuditObject(label=_("Early-warning scan")),
    "risk.watchlistentry": AuditObject(label=_("Watch list entry")),
}
