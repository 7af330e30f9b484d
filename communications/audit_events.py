"""How the audit trail names communications' events and objects (registered
with tenancy.audit_display in apps.py). A call report is named by its number only: its subject
may be confidential; its page applies the ethical wall."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenancy.audit_display import AuditObject

EVENTS = {
    "interaction.logged": _("Call report logged"),
    "interaction.edited": _("Call report edited"),
    "interaction.amended": _("Call report amended"),
    "followup.created": _("Follow-up created"),
    "followup.updated": _("Follow-up changed"),
    "followup.revisits_opened": _("Revisit follow-ups opened"),
    "calendar.token_rotated": _("Calendar feed address renewed"),
    "communications.settings_changed": _("Communication rules changed"),
}

OBJECTS = {
    "communications.interaction": AuditObject(
        label=_("Call report"),
        url=lambda pk: reverse("communications:interaction_detail", args=[int(pk)]),
    ),
    "communications.followup": AuditObject(label=_("Follow-up")),
    "communications.communicationsettings": AuditObject(label=_("Communication rules")),
}
