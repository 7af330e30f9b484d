"""Every new tenant starts with an active NPS template. Tenancy may not know
loyalty (layers), so loyalty listens for the new tenant row; the template
is created inside the new tenant's scope and the same transaction."""

from __future__ import annotations

from tenancy.context import tenant_scope

from .services import survey_defaults_ensure


def tenant_created(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    with tenant_scope(instance):
        survey_defaults_ensure()
