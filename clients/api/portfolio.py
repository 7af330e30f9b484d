"""API of the portfolio: products, holdings, transactions, imports, client export."""

from __future__ import annotations

import django_filters
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tenancy.api_base import ScopedAPIMixin
from tenancy.filters import IdFilter, SafeDateFilter

from .. import exports, imports
from ..models import Holding, ImportJob, Product, Transaction
from ..selectors import portfolio as portfolio_selectors
from ..selectors.portfolio import _day_start
from ..services import portfolio as portfolio_services


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "name",
            "category",
            "risk_level",
            "is_esg",
            "vip_only",
            "min_investment",
            "currency",
            "description",
            "is_active",
        ]
        extra_kwargs = {"risk_level": {"min_value": 1, "max_value": 5}}
        validators: list = []  # uniqueness per tenant is the service's rule


class ProductViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The tenant's product catalogue; every staff member reads it, tenant admins change it."""

    serializer_class = ProductSerializer
    selector = staticmethod(portfolio_selectors.product_list)
    filterset_fields = ["category", "is_active", "is_esg", "vip_only"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = portfolio_services.product_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = portfolio_services.product_update(
            actor=self.request.user, product=serializer.instance, **serializer.validated_data
        )


class HoldingSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", default=None, read_only=True)

    class Meta:
        model = Holding
        fields = [
            "id",
            "client",
            "product",
            "product_code",
            "kind",
            "account_number",
            "balance",
            "currency",
            "opened_on",
            "updated_at",
        ]
        read_only_fields = fields


class HoldingFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    kind = django_filters.CharFilter()

    class Meta:
        model = Holding
        fields = ["client", "kind"]


class HoldingViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Holdings of the clients the caller may see (from core banking imports)."""

    serializer_class = HoldingSerializer
    selector = staticmethod(portfolio_selectors.holding_list)
    filterset_class = HoldingFilter


class TransactionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transaction
        fields = [
            "id",
            "client",
            "occurred_at",
            "amount",
            "currency",
            "direction",
            "category",
            "channel",
            "external_ref",
        ]
        read_only_fields = fields


class TransactionFilter(django_filters.FilterSet):
    client = IdFilter(field_name="client_id")
    date_from = SafeDateFilter(method="filter_from", label="on or after (YYYY-MM-DD)")
    date_to = SafeDateFilter(method="filter_to", label="on or before (YYYY-MM-DD)")
    category = django_filters.CharFilter()
    direction = django_filters.CharFilter()

    class Meta:
        model = Transaction
        fields = ["client", "category", "direction"]

    def filter_from(self, qs, name, value):
        return qs.filter(occurred_at__gte=_day_start(value))

    def filter_to(self, qs, name, value):
        from datetime import timedelta

        return qs.filter(occurred_at__lt=_day_start(value + timedelta(days=1)))


class TransactionViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Transactions of the clients the caller may see; filter by client and date range."""

    serializer_class = TransactionSerializer
    selector = staticmethod(portfolio_selectors.transaction_list)
    filterset_class = TransactionFilter


class ImportJobSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file_name",
            "dry_run",
            "encoding_requested",
            "encoding",
            "status",
            "created_by",
            "created_at",
            "finished_at",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "error_count",
            "errors",
        ]
        read_only_fields = fields


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, UTF-8 or GB18030; at most IMPORT_MAX_BYTES.")
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices)
    dry_run = serializers.BooleanField(default=True)
    encoding = serializers.ChoiceField(
        choices=ImportJob.Encoding.choices, default=ImportJob.Encoding.AUTO
    )


class ImportJobViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """CSV imports from core banking. POST a file (multipart: ``file``, ``kind``,
    ``dry_run``); the answer is the report with every bad row. A real run of a
    large file answers 202 with a pending job that the worker completes."""

    serializer_class = ImportJobSerializer
    selector = staticmethod(portfolio_selectors.import_job_list)
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["kind", "status", "dry_run"]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={201: ImportJobSerializer},
    )
    def create(self, request):
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        job = imports.import_job_start(
            actor=request.user,
            kind=data.validated_data["kind"],
            upload=upload,
            file_name=upload.name,
            dry_run=data.validated_data["dry_run"],
            encoding=data.validated_data["encoding"],
        )
        code = (
            status.HTTP_202_ACCEPTED
            if job.status == ImportJob.Status.PENDING
            else status.HTTP_201_CREATED
        )
        return Response(ImportJobSerializer(job).data, status=code)

    @extend_schema(request=None, responses={201: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Run for real the file of a successful dry run."""
        job = imports.import_job_confirm(actor=request.user, job=self.get_object())
        code = (
            status.HTTP_202_ACCEPTED
            if job.status == ImportJob.Status.PENDING
            else status.HTTP_201_CREATED
        )
        return Response(ImportJobSerializer(job).data, status=code)


class ClientExportView(ScopedAPIMixin, APIView):
    """CSV of the caller's visible clients (masked personal data), audited."""

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        parameters=[OpenApiParameter("format", exclude=True)],
    )
    def get(self, request):
        exports.clients_export_audit(
            user=request.user, ip_address=request.META.get("REMOTE_ADDR"), channel="api"
        )
        response = StreamingHttpResponse(
            exports.clients_export_stream(user=request.user), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="clients.csv"'
        return response
