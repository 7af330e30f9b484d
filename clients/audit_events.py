"""How the audit trail names the clients app's events and objects (registered
with tenancy.audit_display in apps.py). Names come through the access policy's selectors."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenancy.audit_display import AuditObject

from . import selectors

EVENTS = {
    "client.created": _("Client created"),
    "client.updated": _("Client profile changed"),
    "client.pii_revealed": _("Personal data revealed"),
    "client.coverage_changed": _("Coverage changed"),
    "client.bulk_reassigned": _("Clients reassigned in bulk"),
    "client.team_added": _("Coverage team member added"),
    "client.team_removed": _("Coverage team member removed"),
    "client.contact_added": _("Contact person added"),
    "client.contact_updated": _("Contact person changed"),
    "client.contact_removed": _("Contact person removed"),
    "client.life_event_added": _("Life event added"),
    "client.life_event_removed": _("Life event removed"),
    "clients.exported": _("Clients exported"),
    "clients.import_completed": _("Data import completed"),
    "clients.import_failed": _("Data import failed"),
    "clients.product_created": _("Product created"),
    "clients.product_updated": _("Product changed"),
    "clients.tier_threshold_updated": _("Tier threshold changed"),
    "clients.tiering_recomputed": _("Tiers recomputed"),
    "group.created": _("Group created"),
    "group.updated": _("Group changed"),
    "group.member_added": _("Group member added"),
    "group.member_removed": _("Group member removed"),
}


def _ids(ids) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def _client_names(user, ids) -> dict:
    return dict(
        selectors.client_list(user=user)
        .filter(pk__in=_ids(ids))
        .select_related(None)
        .values_list("pk", "name")
    )


def _group_names(user, ids) -> dict:
    return dict(selectors.group_list(user=user).filter(pk__in=_ids(ids)).values_list("pk", "name"))


OBJECTS = {
    "clients.client": AuditObject(
        label=_("Client"),
        url=lambda pk: reverse("clients:detail", args=[int(pk)]),
        names=_client_names,
    ),
    "clients.relationshipgroup": AuditObject(
        label=_("Group"),
        url=lambda pk: reverse("clients:group_detail", args=[int(pk)]),
        names=_group_names,
    ),
    "clients.product": AuditObject(label=_("Product")),
    "clients.importjob": AuditObject(label=_("Data import")),
    "clients.tierthreshold": AuditObject(label=_("Tier threshold")),
}
