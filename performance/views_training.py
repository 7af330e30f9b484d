"""Pages of training and certification: /performance/trainings/ (the records
the viewer may see, and the admins' form to add one) and
/performance/certifications/ (which product categories need which
certification; admins edit). Thin: parse input, call performance.training."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clients.models import ProductCategory
from tenancy.models import Role
from tenancy.views import role_required

from . import training
from .models_training import Certification

STAFF = (Role.ADMIN, Role.BRANCH_HEAD, Role.RM, Role.RISK_OFFICER, Role.COMPLIANCE)
PAGE_SIZE = 50


def _field_label(field: str) -> str:
    return {
        "user": _("Staff member"),
        "course": _("Course"),
        "hours": _("Hours"),
        "completed_on": _("Completed on"),
        "certification": _("Certification"),
        "expires_on": _("Expires on"),
        "category": _("Product category"),
    }.get(field, field)


def _errors(request, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        for msg in msgs:
            messages.error(request, f"{_field_label(field)}: {msg}")


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def trainings(request):
    """The visible training records, newest first; admins add one."""
    user = request.user
    if request.method == "POST":
        p = request.POST
        try:
            training.training_create(
                user=user,
                staff_id=p.get("user"),
                course=p.get("course", ""),
                hours=p.get("hours", ""),
                completed_on=p.get("completed_on", ""),
                certification=p.get("certification", ""),
                expires_on=p.get("expires_on", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Training recorded."))
            return redirect(reverse("performance:trainings"))
    today = timezone.localdate()  # the tenant's zone (TenantMiddleware), as the gate reads it
    page = Paginator(training.training_list(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.valid = bool(row.certification) and (row.expires_on is None or row.expires_on >= today)
    may_record = training.can_record(user)
    return render(
        request,
        "performance/trainings.html",
        {
            "page": page,
            "may_record": may_record,
            "staff": training.staff_choices(user=user) if may_record else [],
            "certifications": Certification.choices,
            "post": request.POST if request.method == "POST" else {},
        },
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def certifications(request):
    """Which certification each product category requires; admins change it."""
    user = request.user
    if request.method == "POST":
        if not training.can_record(user):
            raise PermissionDenied
        try:
            for category in ProductCategory.values:
                if f"cert_{category}" in request.POST:
                    training.certification_requirement_set(
                        user=user,
                        category=category,
                        certification=request.POST.get(f"cert_{category}", ""),
                    )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("performance:certifications"))
    required = dict(training.requirement_list().values_list("category", "certification"))
    return render(
        request,
        "performance/certifications.html",
        {
            "rows": [
                (code, label, required.get(code, "")) for code, label in ProductCategory.choices
            ],
            "certifications": Certification.choices,
            "may_edit": training.can_record(user),
        },
    )
