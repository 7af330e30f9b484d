"""How the audit trail names tenancy's events and objects (see tenancy.audit_display)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import selectors
from .audit_display import AuditObject, person_name

EVENTS = {
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Failed login"),
    "auth.otp_failed": _("Wrong two-factor code"),
    "auth.otp_verified": _("Two-factor code accepted"),
    "auth.recovery_code_used": _("Recovery code used"),
    "auth.recovery_codes_renewed": _("Recovery codes renewed"),
    "auth.2fa_enrolled": _("Two-factor login turned on"),
    "auth.2fa_disabled": _("Two-factor login turned off"),
    "auth.token_created": _("API token issued"),
    "auth.token_revoked": _("API token revoked"),
    "auth.tokens_revoked_all": _("All API tokens revoked"),
    "tenant.2fa_enforcement_changed": _("Two-factor requirement changed"),
    "tenant.created": _("Tenant created"),
    "branch.created": _("Branch created"),
    "staff.created": _("Staff member created"),
    "staff.updated": _("Staff member changed"),
    "staff.language_chosen": _("Language chosen"),
    "demo.seeded": _("Demo data loaded"),
    "audit.exported": _("Audit trail exported"),
}


def _ids(ids) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def _staff_names(user, ids) -> dict:
    staff = selectors.staff_list(user=user).select_related(None).filter(pk__in=_ids(ids))
    return {s.pk: person_name(s) for s in staff}


def _branch_names(user, ids) -> dict:
    return dict(
        selectors.branch_list(user=user)
        .select_related(None)
        .filter(pk__in=_ids(ids))
        .values_list("pk", "name")
    )


OBJECTS = {
    # a person's page in the trail is their own events
    "tenancy.user": AuditObject(
        label=_("Staff member"),
        url=lambda pk: reverse("tenancy:audit") + f"?actor={int(pk)}",
        names=_staff_names,
    ),
    "tenancy.branch": AuditObject(
        label=_("Branch"), url=lambda pk: reverse("tenancy:branches"), names=_branch_names
    ),
    "tenancy.tenant": AuditObject(label=_("Tenant")),
    "tenancy.auditevent": AuditObject(label=_("Audit trail")),
}
