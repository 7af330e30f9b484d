"""Training records and certifications: who may read and write them, the
certification gate on product recommendations, and the expiry reminders.

Visibility of training records:
- an RM (and anyone without a wider role): their own records;
- a branch head: the records of the staff of their branch subtree;
- admin, risk officer, compliance: every record of the tenant;
- a user outside the tenant in scope: nothing.
Only a tenant admin records a training (for anyone of the tenant) and edits
the certification requirements.

The gate (registered in performance.registrations, consulted by
clients.selectors.recommendations.recommend): a product whose category
requires a certification is not recommended to a viewer who does not hold
that certification validly — ``expires_on`` empty or today or later, today
in the tenant's zone. It applies to whoever is offered the recommendations
(the staff member on the 360° page), whatever their role.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from clients.access import TENANT_WIDE_ROLES, is_staff_in_scope
from clients.models import ProductCategory
from tenancy.audit import audit_record
from tenancy.context import current_tenant_id, require_tenant_id
from tenancy.models import Role, Tenant
from tenancy.notify import Notice, notify
from tenancy.selectors import staff_get, staff_list, tenant_staff
from tenancy.timezones import tenant_zone

from .models_training import Certification, CertificationRequirement, Training, TrainingReminder

# Days before expiry at which the holder and their branch head are told.
REMINDER_DAYS = (60, 7)
MAX_HOURS = Decimal("10000")


# --- reads ------------------------------------------------------------------------


def training_visibility_q(user) -> Q | None:
    if not is_staff_in_scope(user):
        return None
    if user.role in TENANT_WIDE_ROLES:
        return Q()
    if user.role == Role.BRANCH_HEAD:
        if user.branch_id is None:
            return Q(user_id=user.pk)
        return Q(user__branch__path__startswith=user.branch.path)
    return Q(user_id=user.pk)


def training_list(*, user) -> QuerySet[Training]:
    q = training_visibility_q(user)
    qs = Training.objects.select_related("user", "user__branch").order_by("-completed_on", "-id")
    return qs.none() if q is None else qs.filter(q)


def can_record(user) -> bool:
    return is_staff_in_scope(user) and user.role == Role.ADMIN


def requirement_list() -> QuerySet[CertificationRequirement]:
    return CertificationRequirement.objects.order_by("category")


def valid_certifications_q(today: date) -> Q:
    return ~Q(certification="") & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


# --- the recommendation gate ----------------------------------------------------------


def certified_products(*, user, products: QuerySet) -> QuerySet:
    """The product gate: ``products`` without those whose category requires a
    certification ``user`` does not hold validly, as a subquery of the one
    catalogue query (no query of its own). Fails closed: without a tenant in
    scope no product; for a user outside the tenant in scope none of a
    category that has a requirement. "Today" is in the active time zone (the
    tenant's, set for every request and API call)."""
    if current_tenant_id() is None:
        return products.none()
    lacking = CertificationRequirement.objects.order_by()
    if is_staff_in_scope(user):
        held = Training.objects.filter(
            valid_certifications_q(timezone.localdate()), user_id=user.pk
        ).values("certification")
        lacking = lacking.exclude(certification__in=held)
    return products.exclude(category__in=lacking.values("category"))


# --- writes -----------------------------------------------------------------------------


def _date(value, field: str, errors: dict, *, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            errors[field] = [_("This field is required.")]
        return None
    if isinstance(value, date):
        return value
    parsed = None
    try:
        parsed = parse_date(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        errors[field] = [_("Enter a date as YYYY-MM-DD.")]
    return parsed


def training_create(
    *,
    user,
    staff_id,
    course: str,
    hours,
    completed_on,
    certification: str = "",
    expires_on=None,
) -> Training:
    """Record a training of a staff member of the tenant (admins only, else
    PermissionDenied). Raises ValidationError naming the field: ``user`` (not
    a staff member of the tenant), ``course``, ``hours`` (0–10000),
    ``completed_on``, ``certification`` (one of the choices; required with an
    expiry), ``expires_on`` (not before the completion)."""
    if not can_record(user):
        raise PermissionDenied(_("Only a tenant admin may record trainings."))
    errors: dict[str, list[str]] = {}
    staff = None
    try:
        staff = staff_get(user=user, staff_id=staff_id)
    except (Http404, ValueError, TypeError):
        errors["user"] = [_("Choose a staff member of this bank.")]
    course = (course or "").strip()
    if not course:
        errors["course"] = [_("This field is required.")]
    elif len(course) > 200:
        errors["course"] = [_("At most 200 characters.")]
    try:
        hours_value = Decimal(str(hours).strip())
        if not hours_value.is_finite() or not Decimal("0") <= hours_value <= MAX_HOURS:
            raise InvalidOperation
        hours_value = hours_value.quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        errors["hours"] = [_("A number of hours from 0 to 10000.")]
        hours_value = None
    completed = _date(completed_on, "completed_on", errors, required=True)
    expires = _date(expires_on, "expires_on", errors, required=False)
    certification = certification or ""
    if certification and certification not in Certification.values:
        errors["certification"] = [_("Choose one of the certifications.")]
    if expires and not certification:
        errors["expires_on"] = [_("An expiry date belongs to a certification.")]
    if expires and completed and expires < completed:
        errors["expires_on"] = [_("A certification cannot expire before it was obtained.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Training.objects.create(
            user=staff,
            course=course,
            hours=hours_value,
            completed_on=completed,
            certification=certification,
            expires_on=expires,
        )
        audit_record(
            action="performance.training_recorded",
            actor=user,
            target=row,
            data={
                "user": staff.pk,
                "course": course,
                "hours": str(hours_value),
                "completed_on": completed.isoformat(),
                "certification": certification,
                "expires_on": expires.isoformat() if expires else None,
            },
        )
    return row


def certification_requirement_set(*, user, category: str, certification: str) -> None:
    """Require ``certification`` for recommending products of ``category``, or
    (empty ``certification``) lift the requirement. Admins only."""
    if not can_record(user):
        raise PermissionDenied(_("Only a tenant admin may change certification requirements."))
    errors = {}
    if category not in ProductCategory.values:
        errors["category"] = [_("Choose one of the product categories.")]
    if certification and certification not in Certification.values:
        errors["certification"] = [_("Choose one of the certifications.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = CertificationRequirement.objects.select_for_update().filter(category=category).first()
        before = row.certification if row else ""
        if before == certification:
            return
        if not certification:
            row.delete()
        elif row is None:
            CertificationRequirement.objects.create(category=category, certification=certification)
        else:
            row.certification = certification
            row.save(update_fields=["certification", "updated_at"])
        audit_record(
            action="performance.certification_requirement_changed",
            actor=user,
            object_type="performance.certificationrequirement",
            object_id=category,
            data={"category": category, "before": before, "after": certification},
        )


# --- expiry reminders ----------------------------------------------------------------------


CLAIM_BATCH = 1000  # ledger rows claimed per statement (4 parameters each)


def _claim(*, tenant_id: int, days: int, now, training_ids: list[int]) -> list[int]:
    """Insert the ledger rows of ``training_ids`` for ``days``; the ids whose
    row this call wrote (``ON CONFLICT DO NOTHING RETURNING``: a row another
    run holds is skipped). Plain multi-row ``VALUES``, so SQLite (``make
    demo``, 3.35 or later) runs the same statement as PostgreSQL."""
    sent_at = connection.ops.adapt_datetimefield_value(now)
    claimed: list[int] = []
    with connection.cursor() as cursor:
        for i in range(0, len(training_ids), CLAIM_BATCH):
            chunk = training_ids[i : i + CLAIM_BATCH]
            cursor.execute(
                "INSERT INTO performance_trainingreminder"
                " (tenant_id, training_id, days_before, sent_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (tenant_id, training_id, days_before) DO NOTHING"
                " RETURNING training_id",
                [value for pk in chunk for value in (tenant_id, pk, days, sent_at)],
            )
            claimed += [row[0] for row in cursor.fetchall()]
    return sorted(claimed)


def certification_reminders_send(*, today: date | None = None) -> int:
    """Tell the holder of a certification and the branch heads of their branch
    60 and 7 days before it expires (the tenant in scope). Each (training,
    threshold) is claimed once in the ledger (INSERT … ON CONFLICT DO NOTHING
    RETURNING): a second run, or a concurrent one, notifies nobody again. A
    run that finds a certification already inside the 7-day window without
    any reminder sends only the 7-day one. Returns how many ledger rows this
    run wrote."""
    tenant = Tenant.objects.get(pk=require_tenant_id())
    now = timezone.now()
    today = today or timezone.localtime(now, tenant_zone(tenant)).date()
    written = 0
    with transaction.atomic():
        for days in sorted(REMINDER_DAYS):
            reminded = TrainingReminder.objects.filter(days_before__lte=days).values("training_id")
            due = list(
                Training.objects.filter(
                    ~Q(certification=""),
                    expires_on__gte=today,
                    expires_on__lte=today + timedelta(days=days),
                    user__is_active=True,
                )
                .exclude(pk__in=reminded)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not due:
                continue
            claimed = _claim(tenant_id=tenant.pk, days=days, now=now, training_ids=due)
            written += len(claimed)
            _notify_expiring(tenant, claimed, today)
    return written


def _notify_expiring(tenant: Tenant, training_ids: list[int], today: date) -> None:
    if not training_ids:
        return
    rows = list(Training.objects.filter(pk__in=training_ids).select_related("user").order_by("pk"))
    branch_ids = {r.user.branch_id for r in rows if r.user.branch_id}
    heads: dict[int, list] = {}
    for head in tenant_staff().filter(
        role=Role.BRANCH_HEAD, is_active=True, branch_id__in=branch_ids
    ):
        heads.setdefault(head.branch_id, []).append(head)
    url = reverse("performance:trainings")
    notices = []
    for row in rows:
        holder = row.user
        for recipient in [holder, *heads.get(holder.branch_id, [])]:
            with translation.override(recipient.language or tenant.locale):
                cert = Certification(row.certification).label
                name = holder.get_full_name() or holder.username
                if recipient.pk == holder.pk:
                    title = _("Your certification %(cert)s expires on %(date)s") % {
                        "cert": cert,
                        "date": row.expires_on.isoformat(),
                    }
                else:
                    title = _("%(name)s's certification %(cert)s expires on %(date)s") % {
                        "name": name,
                        "cert": cert,
                        "date": row.expires_on.isoformat(),
                    }
                body = _(
                    "In %(days)s days. Without a valid certification, products that need it "
                    "are no longer recommended to the holder."
                ) % {"days": (row.expires_on - today).days}
            notices.append(Notice(recipient_id=recipient.pk, title=title, body=body, url=url))
    notify(notices)


def staff_choices(*, user) -> list:
    """Who an admin can record a training for: the tenant's active staff."""
    return list(staff_list(user=user).filter(is_active=True))
