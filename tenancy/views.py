from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors, services
from .administration import manage_tiles
from .forms import BranchCreateForm, StaffCreateForm, StaffUpdateForm, apply_errors
from .models import Role
from .my_day import my_day_sections


def role_required(*roles):
    """Staff of one of ``roles`` only (403 otherwise); login first."""

    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.tenant_id is None or request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


staff_required = role_required(*Role.values)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None):
    """django-axes lockout: JSON for the API, a page for the browser (HTTP 429)."""
    message = _("Too many failed logins: this account is locked for a while. Try again later.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


@require_GET
@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    from .health import broker_status

    return JsonResponse({"database": "ok", "broker": broker_status()})


@staff_required
def home(request):
    """My day. Sections are contributed by the apps that own them (see
    ``tenancy.my_day``), so this page depends on none of them."""
    return render(request, "tenancy/home.html", {"sections": my_day_sections(request)})


@role_required(Role.ADMIN)
def manage(request):
    return render(request, "tenancy/manage/index.html", {"manage_tiles": manage_tiles()})


@role_required(Role.ADMIN)
def staff_list(request):
    user = request.user
    branches = selectors.branch_list(user=user)
    form = StaffCreateForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.staff_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Staff member %(name)s created.") % {"name": created.username}
            )
            return redirect("tenancy:staff")
    qs = selectors.staff_list(user=user)
    role = request.GET.get("role")
    if role in Role.values:
        qs = qs.filter(role=role)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tenancy/manage/staff.html",
        {"page": page, "form": form, "roles": Role.choices, "role": role},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
def staff_edit(request, staff_id: int):
    user = request.user
    staff = selectors.staff_get(user=user, staff_id=staff_id)
    branches = selectors.branch_list(user=user)
    initial = {"role": staff.role, "branch": staff.branch, "is_active": staff.is_active}
    form = StaffUpdateForm(request.POST or None, branches=branches, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(actor=user, staff=staff, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("tenancy:staff")
    return render(
        request,
        "tenancy/manage/staff_edit.html",
        {"staff": staff, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
def branch_list(request):
    user = request.user
    branches = selectors.branch_list(user=user)
    form = BranchCreateForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            services.branch_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Branch created."))
            return redirect("tenancy:branches")
    return render(
        request,
        "tenancy/manage/branches.html",
        {"branches": branches, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN, Role.COMPLIANCE)
def audit(request):
    page = Paginator(selectors.audit_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "tenancy/audit.html", {"page": page})
