"""How the audit trail names the survey events and objects (registered
with tenancy.audit_display in apps.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenancy.audit_display import AuditObject

EVENTS = {
    "loyalty.survey_created": _("Survey template added"),
    "loyalty.survey_updated": _("Survey template switched on or off"),
    "loyalty.invitation_created": _("Client invited to a satisfaction survey"),
    "loyalty.survey_answered": _("Satisfaction survey answered"),
    "loyalty.recovery_updated": _("Service recovery recorded"),
    "loyalty.recovery_closed": _("Service recovery closed"),
    "loyalty.survey_settings_updated": _("Survey settings changed"),
}

OBJECTS = {
    "loyalty.survey": AuditObject(label=_("Survey template")),
    "loyalty.surveyinvitation": AuditObject(label=_("Survey invitation")),
    "loyalty.surveyresponse": AuditObject(label=_("Survey answer")),
    "loyalty.servicerecovery": AuditObject(
        label=_("Service recovery"), url=lambda pk: reverse("loyalty:recovery", args=[int(pk)])
    ),
    "loyalty.surveysettings": AuditObject(label=_("Survey settings")),
}
