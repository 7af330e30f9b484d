from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from . import selectors, services
from .administration import manage_tiles
from .forms import (
    AuditFilterForm,
    BranchCreateForm,
    StaffCreateForm,
    StaffUpdateForm,
    apply_errors,
)
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


@require_POST
def set_language(request):
    """The top bar's language switch: Django's view (cookie, redirect), and for
    a tenant's staff member the choice is stored, so it follows them to other
    browsers and to the API."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and user.tenant_id is not None and language:
        # an unknown code: Django's view ignored it too, nothing changes
        with contextlib.suppress(ValidationError):
            services.staff_set_language(user=user, language=language)
    return response


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
    ``tenancy.my_day``), so this page depends on none of them. Roles listed in
    ``settings.LANDING_PAGES`` land on their own page instead."""
    landing = settings.LANDING_PAGES.get(request.user.role)
    if landing:
        return redirect(landing)
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


def _audit_filters(request) -> tuple[AuditFilterForm, dict]:
    """The audit trail's filter form and the selector's keyword arguments;
    dates are days in the tenant's time zone (the one active for the request)."""
    from .audit_display import action_choices, object_choices

    user = request.user
    form = AuditFilterForm(
        request.GET or None,
        staff=selectors.staff_list(user=user).select_related(None),
        actions=action_choices(),
        object_kinds=object_choices(),
    )
    if not form.is_valid():
        return form, {}
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    filters: dict = {
        "actor_id": data["actor"].pk if data.get("actor") else None,
        "action": data.get("action") or "",
        "object_type": data.get("object_type") or "",
        "object_id": (data.get("object_id") or "").strip(),
    }
    if data.get("date_from"):
        filters["since"] = datetime.combine(data["date_from"], time.min, tzinfo=tz)
    if data.get("date_to"):
        filters["until"] = datetime.combine(
            data["date_to"] + timedelta(days=1), time.min, tzinfo=tz
        )
    return form, filters


AUDIT_PAGE_SIZE = 50


@role_required(Role.ADMIN, Role.COMPLIANCE)
def audit(request):
    """The audit trail: readable events, filters, pages, and the CSV export."""
    from .audit_display import audit_rows

    form, filters = _audit_filters(request)
    events = selectors.audit_list(user=request.user, **filters)
    if form.errors:  # a filter that does not parse shows nothing rather than everything
        events = events.none()
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = audit_rows(user=request.user, events=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tenancy/audit.html",
        {"page": page, "rows": rows, "form": form, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN, Role.COMPLIANCE)
def audit_export(request):
    """CSV of the (filtered) audit trail; the export is an audit event itself."""
    from .audit_export import audit_export_record, audit_export_stream

    form, filters = _audit_filters(request)
    if form.errors:
        return HttpResponseBadRequest(
            " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
    audit_export_record(
        user=request.user, filters=filters, ip_address=request.META.get("REMOTE_ADDR")
    )
    response = StreamingHttpResponse(
        audit_export_stream(
            user=request.user,
            filters=filters,
            tz=timezone.get_current_timezone(),
            language=translation.get_language(),
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


# --- error pages ---------------------------------------------------------------------
# Rendered in the base layout, in the language of the request, with a way back.
# Under /api/ they answer in the API's JSON shape instead.


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _back_url(request) -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _error_page(request, status: int, title: str, text: str, response_class):
    if _is_api(request):
        return JsonResponse({"detail": title}, status=status)
    context = {
        "status": status,
        "error_title": title,
        "error_text": text,
        "back_url": _back_url(request),
    }
    return response_class(loader.render_to_string(f"{status}.html", context, request))


def error_403(request, exception=None):
    return _error_page(
        request,
        403,
        _("You may not open this page"),
        _("Your role does not include this page. Ask your administrator if you need it."),
        HttpResponseForbidden,
    )


def error_404(request, exception=None):
    return _error_page(
        request,
        404,
        _("Page not found"),
        _("There is no such page, or it is not one you may see."),
        HttpResponseNotFound,
    )


def error_500(request):
    """No database and no request user: whatever failed may be the database."""
    title = _("Something went wrong")
    if _is_api(request):
        return JsonResponse({"detail": title}, status=500)
    context = {
        "status": 500,
        "error_title": title,
        "error_text": _(
            "The error has been logged. Try again in a moment; if it happens again, "
            "tell your administrator what you were doing."
        ),
    }
    # rendered without the request: no context processors, so no query runs
    return HttpResponseServerError(loader.render_to_string("500.html", context))


def favicon(request):
    return redirect(static("favicon.svg"), permanent=True)


def _wants_html(request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def browser_login_first(view):
    """The API schema and docs need a login: a browser without a session is
    sent to the login page, API clients (tokens, JSON) still get 401."""

    def wrapped(request, *args, **kwargs):
        if (
            not request.user.is_authenticated
            and "Authorization" not in request.headers
            and _wants_html(request)
        ):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.__name__ = getattr(view, "__name__", "view")
    return wrapped
