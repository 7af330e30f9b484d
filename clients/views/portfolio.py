"""Pages of the portfolio: product catalogue, tier thresholds, imports (all
under /manage/ tiles, tenant admins) and the CSV export of visible clients."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenancy.forms import apply_errors
from tenancy.models import Role
from tenancy.views import role_required, staff_required

from .. import exports, imports
from ..forms import ImportUploadForm, ProductForm, TierThresholdForm
from ..selectors import portfolio as portfolio_selectors
from ..services import portfolio as portfolio_services
from ..services.tiering import DEFAULT_THRESHOLDS


@role_required(Role.ADMIN)
def product_list(request):
    user = request.user
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = portfolio_services.product_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Product %(code)s added.") % {"code": product.code})
            return redirect("clients:products")
    page = Paginator(portfolio_selectors.product_list(user=user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "clients/portfolio/products.html",
        {"page": page, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
def product_edit(request, product_id: int):
    user = request.user
    product = portfolio_selectors.product_get(user=user, product_id=product_id)
    initial = {name: getattr(product, name) for name in ProductForm.base_fields}
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            portfolio_services.product_update(actor=user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:products")
    return render(
        request,
        "clients/portfolio/product_edit.html",
        {"product": product, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
def tier_thresholds(request):
    user = request.user
    thresholds = portfolio_selectors.tier_threshold_list(user=user)
    forms = {}
    failed = False
    for t in thresholds:
        data = (
            request.POST
            if request.method == "POST" and request.POST.get("tier") == t.tier
            else None
        )
        forms[t.tier] = TierThresholdForm(
            data,
            prefix=t.tier,
            initial={
                "min_aum": t.min_aum,
                "min_transactions_12m": t.min_transactions_12m,
                "min_credit_rating": t.min_credit_rating,
            },
        )
        form = forms[t.tier]
        if data is not None and form.is_valid():
            try:
                portfolio_services.tier_threshold_update(
                    actor=user, threshold=t, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
                failed = True
            else:
                messages.success(
                    request, _("Thresholds saved; every client's tier was recomputed.")
                )
                return redirect("clients:tiers")
        elif data is not None:
            failed = True
    rows = [{"threshold": t, "form": forms[t.tier]} for t in thresholds]
    return render(
        request,
        "clients/portfolio/tiers.html",
        {"rows": rows, "defaults": DEFAULT_THRESHOLDS},
        status=400 if failed else 200,
    )


@role_required(Role.ADMIN)
def import_list(request):
    user = request.user
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.import_job_start(
                actor=user,
                kind=form.cleaned_data["kind"],
                upload=upload,
                file_name=upload.name,
                dry_run=True,
                encoding=form.cleaned_data.get("encoding") or "auto",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("clients:import_detail", job_id=job.pk)
    page = Paginator(portfolio_selectors.import_job_list(user=user), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "clients/portfolio/imports.html",
        {
            "page": page,
            "form": form,
            "max_mb": f"{settings.IMPORT_MAX_BYTES / (1024 * 1024):g}",
            "retention_hours": settings.IMPORT_FILE_RETENTION_HOURS,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
def import_detail(request, job_id: int):
    job = portfolio_selectors.import_job_get(user=request.user, job_id=job_id)
    errors = Paginator(job.errors or [], 100).get_page(request.GET.get("page"))
    return render(request, "clients/portfolio/import_detail.html", {"job": job, "page": errors})


@require_POST
@role_required(Role.ADMIN)
def import_confirm(request, job_id: int):
    job = portfolio_selectors.import_job_get(user=request.user, job_id=job_id)
    try:
        real = imports.import_job_confirm(actor=request.user, job=job)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("clients:import_detail", job_id=job.pk)
    if real.status == real.Status.PENDING:
        messages.info(
            request, _("The import runs in the background; this page shows its result when done.")
        )
    return redirect("clients:import_detail", job_id=real.pk)


@require_GET
@staff_required
def client_export(request):
    """CSV of the user's visible clients, masked, audited."""
    exports.clients_export_audit(user=request.user, ip_address=request.META.get("REMOTE_ADDR"))
    response = StreamingHttpResponse(
        exports.clients_export_stream(user=request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="clients.csv"'
    return response


# --- client 360° sections (registered in apps.py) ------------------------------------------------
# The four sections share one ClientPortfolio (three queries), memoised on the request.


def _portfolio(request, client):
    return portfolio_selectors.client_portfolio(user=request.user, client=client, request=request)


def holdings_section(request, client) -> dict:
    p = _portfolio(request, client)
    return {"client": client, "holdings": p.holdings}


def transactions_section(request, client) -> dict:
    return {
        "client": client,
        "transaction_summary": _portfolio(request, client).transaction_summary,
    }


def preferences_section(request, client) -> dict:
    from ..models import ProductCategory

    profile = _portfolio(request, client).profile
    labels = dict(ProductCategory.choices)
    mix = [
        {"label": labels.get(k, k), "percent": int(share * 100)}
        for k, share in profile.category_mix
    ]
    return {
        "client": client,
        "profile": profile,
        "category_mix": mix,
        "esg_percent": int(profile.esg_share * 100),
    }


def recommendations_section(request, client) -> dict:
    return {"client": client, "recommendations": _portfolio(request, client).recommendations}
