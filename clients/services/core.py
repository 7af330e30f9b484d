"""Client profiles, contact persons and life events."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext as _

from tenancy.audit import audit_record
from tenancy.crypto import blind_index
from tenancy.models import Branch, User

from .. import access
from ..models import Client, ContactPerson, Interest, InvestmentGoal, LifeEvent
from .coverage import record_coverage_change, validate_manager

PII_FIELDS = ("national_id", "phone", "email", "address")
# Fields a profile edit may change. Coverage (managers), tier, AUM, exposure,
# credit rating and last contact are written by their own services.
PROFILE_FIELDS = (
    "kind",
    "name",
    "external_id",
    "branch",
    "risk_tolerance",
    "preferred_channel",
    "lifecycle",
    "language",
    "contact_time_from",
    "contact_time_to",
    "marketing_consent",
    "investment_goals",
    "interests",
    "kyc_status",
    "next_kyc_review",
    "kyc_risk_level",
    "kyc_reviewed_on",
    "currency",
    *PII_FIELDS,
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")  # unified social credit code
_PHONE = re.compile(r"^\+?[0-9]{6,20}$")


def phone_key(value: str) -> str:
    """Phone as stored and looked up: digits (and a leading +) only."""
    value = (value or "").strip()
    return ("+" if value.startswith("+") else "") + re.sub(r"\D", "", value)


def pii_indexes(*, national_id: str = "", phone: str = "", email: str = "") -> dict[str, str]:
    """The blind indexes for a client's personal data (imports use this too)."""
    return {
        "national_id_index": blind_index(national_id),
        "phone_index": blind_index(phone_key(phone)),
        "email_index": blind_index((email or "").strip().lower()),
    }


def national_id_problem(value: str, kind: str) -> str | None:
    """None when ``value`` is a plausible id for ``kind``, else the message."""
    value = (value or "").strip().upper()
    if not value:
        return None
    if kind == Client.Kind.CORPORATE:
        return (
            None if _USCC.match(value) else _("Enter the 18-character unified social credit code.")
        )
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return _("Enter an 18-character resident id number (17 digits and a digit or X).")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("The date of birth inside this id number is not a valid date.")
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True)) % 11]
    if check != value[17]:
        return _("This id number's check digit is wrong; please check it.")
    return None


def _validate_profile(*, actor: User, client: Client, changed: set[str]) -> None:
    errors: dict[str, Any] = {}
    if not (client.name or "").strip():
        errors["name"] = _("A name is required.")
    if not (client.external_id or "").strip():
        errors["external_id"] = _("The core-banking id is required.")
    elif (
        "external_id" in changed
        and Client.objects.filter(external_id=client.external_id).exclude(pk=client.pk).exists()
    ):
        errors["external_id"] = _("Another client already has this core-banking id.")
    if client.branch_id is None:
        errors["branch"] = _("Choose a branch.")
    elif client.branch.tenant_id != actor.tenant_id:
        errors["branch"] = _("Unknown branch.")
    elif "branch" in changed and not access.in_subtree(actor, client.branch):
        errors["branch"] = _("You may only place clients in your own branch or its sub-branches.")
    if {"national_id", "kind"} & changed:
        problem = national_id_problem(client.national_id, client.kind)
        if problem:
            errors["national_id"] = problem
    if "phone" in changed and client.phone and not _PHONE.match(client.phone):
        errors["phone"] = _("Enter a phone number of digits, optionally starting with +.")
    if "email" in changed and client.email:
        try:
            validate_email(client.email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    if (client.contact_time_from is None) != (client.contact_time_to is None):
        errors["contact_time_to"] = _("Give both ends of the contact hours, or neither.")
    elif client.contact_time_from and client.contact_time_from >= client.contact_time_to:
        errors["contact_time_to"] = _("Contact hours must end after they start.")
    consent = client.marketing_consent
    if not isinstance(consent, dict) or any(
        k not in Client.Channel.values or not isinstance(v, bool) for k, v in consent.items()
    ):
        errors["marketing_consent"] = _("Consent is given per channel, yes or no.")
    for field, choices in (
        ("interests", Interest.values),
        ("investment_goals", InvestmentGoal.values),
    ):
        value = getattr(client, field)
        if not isinstance(value, list) or any(v not in choices for v in value):
            errors[field] = _("Choose from the listed options.")
    if errors:
        raise ValidationError(errors)
    try:
        client.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in ("name", "external_id", "national_id", "email", "address"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    if isinstance(out.get("national_id"), str):
        out["national_id"] = out["national_id"].upper()
    if isinstance(out.get("email"), str):
        out["email"] = out["email"].lower()
    if isinstance(out.get("phone"), str):
        out["phone"] = phone_key(out["phone"])
    return out


def _set_indexes(client: Client) -> None:
    for field, value in pii_indexes(
        national_id=client.national_id, phone=client.phone, email=client.email
    ).items():
        setattr(client, field, value)


def _audit_changes(before: dict, client: Client, changed: set[str]) -> dict:
    """Audit data without personal data: PII fields are named, never shown."""
    out: dict[str, Any] = {}
    for field in sorted(changed):
        if field in PII_FIELDS:
            out[field] = "changed"
        elif field == "branch":
            out["branch"] = {"from": before.get("branch"), "to": client.branch_id}
        else:
            out[field] = {"from": before.get(field), "to": getattr(client, field)}
    return out


def client_create(
    *,
    actor: User,
    name: str,
    external_id: str,
    branch: Branch,
    kind: str = Client.Kind.INDIVIDUAL,
    dedicated_manager: User | None = None,
    **fields: Any,
) -> Client:
    """Create a client. Admins anywhere; branch heads inside their subtree; an
    RM in their own branch subtree, and the RM becomes the dedicated manager.

    Raises PermissionDenied for other roles and ValidationError({field: msg})
    for bad input (national id format, email, phone, contact hours, a manager
    who is not an active RM of this bank, a duplicate core-banking id).
    """
    if not access.can_create_client(actor):
        raise PermissionDenied(_("Your role may not create clients."))
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    data = _normalise({"name": name, "external_id": external_id, "kind": kind, **fields})
    if actor.role == "rm":
        if dedicated_manager is not None and dedicated_manager.pk != actor.pk:
            raise ValidationError(
                {"dedicated_manager": _("Relationship managers create clients for themselves.")}
            )
        dedicated_manager = actor
    client = Client(branch=branch, **data)
    changed = set(data) | {"branch", "kind", "national_id"}
    _validate_profile(actor=actor, client=client, changed=changed)
    if dedicated_manager is not None:
        validate_manager(actor=actor, manager=dedicated_manager, field="dedicated_manager")
    with transaction.atomic():
        _set_indexes(client)
        client.dedicated_manager = dedicated_manager
        try:
            with transaction.atomic():  # savepoint: a concurrent duplicate is a 400, not a 500
                client.save()
        except IntegrityError:
            raise ValidationError(
                {"external_id": _("Another client already has this core-banking id.")}
            ) from None
        audit_record(
            action="client.created",
            actor=actor,
            target=client,
            data={
                "external_id": client.external_id,
                "branch": client.branch_id,
                "kind": client.kind,
                "dedicated_manager": client.dedicated_manager_id,
                "pii": sorted(f for f in PII_FIELDS if getattr(client, f)),
            },
        )
        if dedicated_manager is not None:
            record_coverage_change(
                client=client,
                kind="dedicated",
                from_user=None,
                to_user=dedicated_manager,
                actor=actor,
                reason=_("Assigned when the client was created."),
            )
    return client


def client_update(*, actor: User, client: Client, **fields: Any) -> Client:
    """Edit a client's profile (not its coverage: see client_assign_manager).

    Admin anywhere; branch head inside their subtree; an RM for clients they
    manage, and an RM may not move a client to another branch.
    """
    if not access.can_edit_profile(actor, client):
        raise PermissionDenied(_("You may not edit this client's profile."))
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    data = _normalise(fields)
    before = {f: getattr(client, f) for f in PROFILE_FIELDS if f != "branch"}
    before["branch"] = client.branch_id
    changed = set()
    for field, value in data.items():
        current = client.branch if field == "branch" else getattr(client, field)
        if current != value:
            setattr(client, field, value)
            changed.add(field)
    if not changed:
        return client
    if "branch" in changed and actor.role == "rm":
        raise ValidationError(
            {"branch": _("Ask your branch head to move a client to another branch.")}
        )
    _validate_profile(actor=actor, client=client, changed=changed)
    with transaction.atomic():
        _set_indexes(client)
        client.save()
        audit_record(
            action="client.updated",
            actor=actor,
            target=client,
            data=_audit_changes(before, client, changed),
        )
    return client


def client_reveal(*, actor: User, client: Client, ip_address: str | None = None) -> dict[str, str]:
    """The plain national id, phone and email, for the client's managers and
    compliance only (PermissionDenied otherwise). Every reveal is audited."""
    if not access.can_reveal(actor, client):
        raise PermissionDenied(
            _("Only the client's managers and compliance may reveal personal data.")
        )
    audit_record(
        action="client.pii_revealed",
        actor=actor,
        target=client,
        data={"fields": ["national_id", "phone", "email"]},
        ip_address=ip_address,
    )
    return {"national_id": client.national_id, "phone": client.phone, "email": client.email}


# --- contact persons (corporate clients) ------------------------------------------

CONTACT_FIELDS = ("name", "title", "is_decision_maker", "phone", "email", "preferred_channel")


def _validate_contact(contact: ContactPerson) -> None:
    errors = {}
    if not (contact.name or "").strip():
        errors["name"] = _("A name is required.")
    if contact.phone and not _PHONE.match(contact.phone):
        errors["phone"] = _("Enter a phone number of digits, optionally starting with +.")
    if contact.email:
        try:
            validate_email(contact.email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    if contact.preferred_channel not in Client.Channel.values:
        errors["preferred_channel"] = _("Choose a channel.")
    if errors:
        raise ValidationError(errors)


def contact_person_create(
    *, actor: User, client: Client, name: str, **fields: Any
) -> ContactPerson:
    """Add a contact person to a corporate client (whoever may edit its profile)."""
    if not access.can_edit_profile(actor, client):
        raise PermissionDenied(_("You may not edit this client's profile."))
    if client.kind != Client.Kind.CORPORATE:
        raise ValidationError({"client": _("Contact persons are kept for corporate clients.")})
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    data = _normalise({"name": name, **fields})
    contact = ContactPerson(client=client, **data)
    _validate_contact(contact)
    with transaction.atomic():
        contact.save()
        audit_record(
            action="client.contact_added",
            actor=actor,
            target=client,
            data={
                "contact": contact.pk,
                "title": contact.title,
                "decision_maker": contact.is_decision_maker,
            },
        )
    return contact


def contact_person_update(*, actor: User, contact: ContactPerson, **fields: Any) -> ContactPerson:
    client = contact.client
    if not access.can_edit_profile(actor, client):
        raise PermissionDenied(_("You may not edit this client's profile."))
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    changed = []
    for field, value in _normalise(fields).items():
        if getattr(contact, field) != value:
            setattr(contact, field, value)
            changed.append(field)
    if not changed:
        return contact
    _validate_contact(contact)
    with transaction.atomic():
        contact.save()
        audit_record(
            action="client.contact_updated",
            actor=actor,
            target=client,
            data={"contact": contact.pk, "fields": sorted(changed)},
        )
    return contact


def contact_person_delete(*, actor: User, contact: ContactPerson) -> None:
    client = contact.client
    if not access.can_edit_profile(actor, client):
        raise PermissionDenied(_("You may not edit this client's profile."))
    with transaction.atomic():
        pk = contact.pk
        contact.delete()
        audit_record(
            action="client.contact_removed", actor=actor, target=client, data={"contact": pk}
        )


# --- life events --------------------------------------------------------------------


def life_event_create(
    *, actor: User, client: Client, kind: str, date: dt.date, note: str = ""
) -> LifeEvent:
    """Record a life event (birthday, retirement, IPO, ...) for a client."""
    if not access.can_edit_profile(actor, client):
        raise PermissionDenied(_("You may not edit this client's profile."))
    errors = {}
    if kind not in LifeEvent.Kind.values:
        errors["kind"] = _("Choose an event.")
    if not isinstance(date, dt.date):
        errors["date"] = _("Enter a date.")
    if errors:
        raise ValidationError(errors)
    event = LifeEvent(
        client=client, kind=kind, date=date, note=(note or "").strip(), created_by=actor
    )
    try:
        event.full_clean(exclude=["client", "created_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    with transaction.atomic():
        event.save()
        audit_record(
            action="client.life_event_added",
            actor=actor,
            target=client,
            data={"event": event.pk, "kind": kind, "date": date},
        )
    return event


def life_event_delete(*, actor: User, event: LifeEvent) -> None:
    client = event.client
    if not access.can_edit_profile(actor, client):
        raise PermissionDenied(_("You may not edit this client's profile."))
    with transaction.atomic():
        pk, kind = event.pk, event.kind
        event.delete()
        audit_record(
            action="client.life_event_removed",
            actor=actor,
            target=client,
            data={"event": pk, "kind": kind},
        )


def clients_lock(*, client_ids) -> None:
    """Lock these client rows for the rest of the transaction, in id order:
    the first step of the project's lock order (README, "Lock order"), taken
    before any other row lock and before the tenant's audit lock."""
    list(
        Client.objects.select_for_update(no_key=True)
        .filter(pk__in=list(client_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def client_contacted(*, client_id: int, at, met: bool = False) -> None:
    """Record that the client was contacted at ``at`` (an interaction was
    logged or re-dated): one UPDATE of ``last_contacted_at`` that never moves
    it back, so an older contact logged late changes nothing. ``met`` (a
    meeting or visit) moves ``last_met_at`` the same way in the same UPDATE
    (loyalty's after-meeting survey reads it). The caller's service audits the
    contact itself and holds the transaction."""
    newer_contact = Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=at)
    if not met:
        Client.objects.filter(pk=client_id).filter(newer_contact).update(last_contacted_at=at)
        return
    newer_meeting = Q(last_met_at__isnull=True) | Q(last_met_at__lt=at)
    Client.objects.filter(pk=client_id).filter(newer_contact | newer_meeting).update(
        last_contacted_at=Case(When(newer_contact, then=Value(at)), default=F("last_contacted_at")),
        last_met_at=Case(When(newer_meeting, then=Value(at)), default=F("last_met_at")),
    )
