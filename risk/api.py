"""/api/v1/risk-assessments/, collaterals/, credit-limits/ and
clients/{id}/exposure/ (+ what-if, classification) — API.md "Risk". Thin:
serializers parse, services decide, selectors read."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.access import client_get, visible_clients
from tenancy.api_base import ScopedAPIMixin
from tenancy.filters import IdFilter, SafeDateFilter

from . import calendar, groups, override_rates, policy, selectors, services, watchlist
from .forms import OverrideRatesForm
from .models import (
    AlertKind,
    Classification,
    Collateral,
    CollateralKind,
    CreditLimit,
    ReviewKind,
    ReviewReminder,
    RiskAlert,
    RiskAssessment,
    RiskSettings,
    Severity,
    WatchListEntry,
)
from .scale import rating_scale, risk_settings


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


def _conflicts(fn):
    try:
        return fn()
    except services.StateConflict as exc:
        raise Conflict(str(exc)) from None


@extend_schema_field(OpenApiTypes.INT)
class ClientField(serializers.PrimaryKeyRelatedField):
    """A client id resolved through the access policy (invisible or foreign → 404)."""

    def get_queryset(self):
        return visible_clients(self.context["request"].user)

    def to_internal_value(self, data):
        return client_get(user=self.context["request"].user, client_id=data)


@extend_schema_field(OpenApiTypes.INT)
class GroupField(serializers.PrimaryKeyRelatedField):
    """A household / corporate group id of the tenant with a member the user
    sees (foreign, invisible or empty → 404)."""

    def get_queryset(self):
        return groups.limit_groups(user=self.context["request"].user)

    def to_internal_value(self, data):
        return groups.group_for_limit(user=self.context["request"].user, group_id=data)


# --- assessments ---------------------------------------------------------------------------


class RiskAssessmentSerializer(serializers.ModelSerializer):
    client = ClientField()
    credit_score = serializers.IntegerField(min_value=0, max_value=100)
    market_score = serializers.IntegerField(min_value=0, max_value=100)
    operational_score = serializers.IntegerField(min_value=0, max_value=100)
    rating_override = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    rationale = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "client",
            "author",
            "credit_score",
            "market_score",
            "operational_score",
            "composite",
            "scale_rating",
            "rating",
            "rating_override",
            "override_reason",
            "rationale",
            "snapshot",
            "status",
            "submitted_at",
            "approved_by",
            "approved_at",
            "rejected_by",
            "rejected_at",
            "rejection_reason",
            "next_review_at",
            "created_at",
        ]
        read_only_fields = [
            "author",
            "composite",
            "scale_rating",
            "rating",
            "snapshot",
            "status",
            "submitted_at",
            "approved_by",
            "approved_at",
            "rejected_by",
            "rejected_at",
            "rejection_reason",
            "next_review_at",
            "created_at",
        ]


class RiskAssessmentUpdateSerializer(serializers.Serializer):
    credit_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    market_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    operational_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    rating_override = serializers.CharField(required=False, allow_blank=True)
    override_reason = serializers.CharField(required=False, allow_blank=True)
    rationale = serializers.CharField(required=False, allow_blank=True)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=False, trim_whitespace=True)


class AssessmentFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    status = filters.ChoiceFilter(choices=RiskAssessment.Status.choices)

    class Meta:
        model = RiskAssessment
        fields = ["client", "status"]


class RiskAssessmentViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Assessments of visible clients; draft → submitted → approved / rejected (four eyes)."""

    serializer_class = RiskAssessmentSerializer
    selector = staticmethod(selectors.assessment_list)
    filterset_class = AssessmentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = services.assessment_create(user=request.user, **ser.validated_data)
        return Response(self.get_serializer(a).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RiskAssessmentUpdateSerializer, responses=RiskAssessmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        a = self.get_object()
        ser = RiskAssessmentUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        a = _conflicts(
            lambda: services.assessment_update(
                user=request.user, assessment=a, **ser.validated_data
            )
        )
        return Response(self.get_serializer(a).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed("PUT")
        return super().update(request, *args, **kwargs)

    @extend_schema(request=None, responses=RiskAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        a = self.get_object()
        a = _conflicts(lambda: services.assessment_submit(user=request.user, assessment=a))
        return Response(self.get_serializer(a).data)

    @extend_schema(request=None, responses=RiskAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        a = self.get_object()
        a = _conflicts(lambda: services.assessment_approve(user=request.user, assessment=a))
        return Response(self.get_serializer(a).data)

    @extend_schema(request=RejectSerializer, responses=RiskAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        a = self.get_object()
        refusal = services.decider_refusal(request.user, a)
        if refusal:  # the role check comes before the body's
            raise PermissionDenied(refusal)
        ser = RejectSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = _conflicts(
            lambda: services.assessment_reject(
                user=request.user, assessment=a, reason=ser.validated_data["reason"]
            )
        )
        return Response(self.get_serializer(a).data)


# --- collateral and limits -----------------------------------------------------------------


class CollateralSerializer(serializers.ModelSerializer):
    client = ClientField()
    kind = serializers.ChoiceField(choices=CollateralKind.choices)
    haircut_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        allow_null=True,
        help_text="Defaults to the tenant's haircut for the kind.",
    )
    lendable_value = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)

    class Meta:
        model = Collateral
        fields = [
            "id",
            "client",
            "kind",
            "description",
            "market_value",
            "currency",
            "haircut_pct",
            "lendable_value",
            "valued_at",
            "next_revaluation_at",
            "guarantor",
        ]


class CollateralFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    kind = filters.ChoiceFilter(choices=CollateralKind.choices)

    class Meta:
        model = Collateral
        fields = ["client", "kind"]


class CollateralViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = CollateralSerializer
    selector = staticmethod(selectors.collateral_list)
    filterset_class = CollateralFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        c = services.collateral_create(user=request.user, **ser.validated_data)
        return Response(self.get_serializer(c).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        c = self.get_object()
        ser = self.get_serializer(c, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        fields = {k: v for k, v in ser.validated_data.items() if k != "client"}
        if "client" in ser.validated_data and ser.validated_data["client"].pk != c.client_id:
            raise exceptions.ValidationError(
                {"client": ["Collateral cannot move to another client."]}
            )
        c = services.collateral_update(user=request.user, collateral=c, **fields)
        return Response(self.get_serializer(c).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed("PUT")
        return super().update(request, *args, **kwargs)


class CreditLimitSerializer(serializers.ModelSerializer):
    client = ClientField(required=False, allow_null=True, default=None)
    group = GroupField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A household or corporate group instead of a client (exactly one).",
    )

    class Meta:
        model = CreditLimit
        fields = [
            "id",
            "client",
            "group",
            "amount",
            "currency",
            "expires_on",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]


class CreditLimitFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    group = IdFilter(field_name="group_id")

    class Meta:
        model = CreditLimit
        fields = ["client", "group"]


class CreditLimitViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Limits of visible clients; created by risk officers only."""

    serializer_class = CreditLimitSerializer
    selector = staticmethod(selectors.credit_limit_list)
    filterset_class = CreditLimitFilter
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        if not policy.can_set_limit(request.user):
            raise PermissionDenied("Only risk officers set credit limits.")
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        limit = services.credit_limit_create(user=request.user, **ser.validated_data)
        return Response(self.get_serializer(limit).data, status=status.HTTP_201_CREATED)


# --- exposure, what-if, classification -----------------------------------------------------


class GroupMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class GroupExposureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="household or corporate_group")
    exposure = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text="Over all members, visible or not (CNY)."
    )
    limit = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    utilisation = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    share_of_tier1 = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    breaches = serializers.ListField(child=serializers.CharField())
    members = GroupMemberSerializer(many=True, help_text="The members the user sees.")
    hidden_members = serializers.IntegerField()


class ExposureSerializer(serializers.Serializer):
    currency = serializers.CharField()
    exposure = serializers.DecimalField(max_digits=20, decimal_places=2)
    limit = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    utilisation = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    lendable_collateral = serializers.DecimalField(max_digits=20, decimal_places=2)
    coverage_ratio = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    classification = serializers.ChoiceField(choices=Classification.choices)
    classification_floor = serializers.CharField(
        help_text="The floor from days past due (same values)."
    )
    watch_list = serializers.BooleanField()
    open_alerts = serializers.IntegerField()
    share_of_tier1 = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    large_exposure = serializers.BooleanField()
    breaches = serializers.ListField(child=serializers.CharField())
    groups = GroupExposureSerializer(many=True)


class WhatIfRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, min_value=Decimal("0.01"))


class BreachSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[
            "credit_limit",
            "single_client_cap",
            "client_loans_cap",
            "group_limit",
            "group_cap",
        ]
    )
    limit = serializers.DecimalField(max_digits=20, decimal_places=2)
    excess = serializers.DecimalField(max_digits=20, decimal_places=2)
    group = serializers.IntegerField(
        required=False, help_text="The group's id (group_limit and group_cap only)."
    )
    group_name = serializers.CharField(required=False)


class WhatIfSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    exposure_before = serializers.DecimalField(max_digits=20, decimal_places=2)
    exposure_after = serializers.DecimalField(max_digits=20, decimal_places=2)
    limit = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    breaches = BreachSerializer(many=True)
    large_exposure = serializers.BooleanField()
    ok = serializers.BooleanField()


class ClassificationSerializer(serializers.Serializer):
    classification = serializers.ChoiceField(choices=Classification.choices)
    floor = serializers.CharField(read_only=True, help_text="From days past due (same values).")
    contagion = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(required=False, allow_blank=True, write_only=True, default="")


class ClientExposureView(ScopedAPIMixin, APIView):
    @extend_schema(responses=ExposureSerializer)
    def get(self, request, client_id):
        client = client_get(user=request.user, client_id=client_id)
        data = selectors.client_exposure(user=request.user, client=client).as_api()
        return Response(ExposureSerializer(data).data)


class ClientWhatIfView(ScopedAPIMixin, APIView):
    @extend_schema(request=WhatIfRequestSerializer, responses=WhatIfSerializer)
    def post(self, request, client_id):
        client = client_get(user=request.user, client_id=client_id)
        ser = WhatIfRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = selectors.what_if(
            user=request.user, client=client, amount=ser.validated_data["amount"]
        )
        return Response(WhatIfSerializer(data).data)


class ClientClassificationView(ScopedAPIMixin, APIView):
    @extend_schema(responses=ClassificationSerializer)
    def get(self, request, client_id):
        client = client_get(user=request.user, client_id=client_id)
        data = selectors.client_classification(user=request.user, client=client)
        return Response(ClassificationSerializer(data).data)

    @extend_schema(request=ClassificationSerializer, responses=ClassificationSerializer)
    def post(self, request, client_id):
        client = client_get(user=request.user, client_id=client_id)
        ser = ClassificationSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = services.classification_set(
            user=request.user,
            client=client,
            classification=ser.validated_data["classification"],
            reason=ser.validated_data.get("reason", ""),
        )
        return Response(ClassificationSerializer(data).data)


# --- review calendar ----------------------------------------------------------------------


class CalendarFilter(filters.FilterSet):
    """Validates the calendar's query (the union is filtered before it is
    built, so these fields feed ``calendar.review_calendar``)."""

    kind = filters.MultipleChoiceFilter(choices=ReviewKind.choices)
    client = IdFilter()
    due_before = SafeDateFilter()
    due_after = SafeDateFilter()
    overdue = filters.BooleanFilter()

    class Meta:
        model = ReviewReminder
        fields: list = []


class CalendarClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CalendarItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReviewKind.choices)
    client = CalendarClientSerializer()
    item_id = serializers.IntegerField()
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    days_left = serializers.IntegerField()


class CalendarPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CalendarItemSerializer(many=True)


class ReviewCalendarView(ScopedAPIMixin, APIView):
    """GET /api/v1/risk-calendar/: everything due on the clients the caller
    sees, earliest first, paginated."""

    @extend_schema(
        responses=CalendarPageSerializer,
        parameters=[
            OpenApiParameter("kind", str, many=True, enum=ReviewKind.values),
            OpenApiParameter("client", int),
            OpenApiParameter("due_before", OpenApiTypes.DATE),
            OpenApiParameter("due_after", OpenApiTypes.DATE),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("page", int),
        ],
    )
    def get(self, request):
        fs = CalendarFilter(request.query_params, queryset=ReviewReminder.objects.none())
        if not fs.form.is_valid():
            raise exceptions.ValidationError(fs.form.errors)
        data = fs.form.cleaned_data
        rows = calendar.review_calendar(
            user=request.user,
            kinds=data.get("kind") or None,
            client=data.get("client"),
            due_after=data.get("due_after"),
            due_before=data.get("due_before"),
            overdue=data.get("overdue"),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            CalendarItemSerializer([i.as_api() for i in page], many=True).data
        )


# --- alerts -------------------------------------------------------------------------------


class RiskAlertSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)

    class Meta:
        model = RiskAlert
        fields = [
            "id",
            "client",
            "client_name",
            "kind",
            "severity",
            "status",
            "raised_at",
            "note",
            "detail",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = fields


class RiskAlertUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RiskAlert.Status.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class AlertFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    status = filters.ChoiceFilter(
        choices=[*RiskAlert.Status.choices, ("current", "current")], method="by_status"
    )
    severity = filters.ChoiceFilter(choices=Severity.choices)
    kind = filters.ChoiceFilter(choices=AlertKind.choices)

    class Meta:
        model = RiskAlert
        fields = ["client", "status", "severity", "kind"]

    def by_status(self, queryset, name, value):
        if value == "current":
            return queryset.exclude(status=RiskAlert.Status.RESOLVED)
        return queryset.filter(status=value)


class RiskAlertViewSet(ScopedAPIMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Early-warning alerts of visible clients, most severe and newest first;
    PATCH ``{"status", "note"}`` acknowledges or resolves (services.alert_update)."""

    serializer_class = RiskAlertSerializer
    selector = staticmethod(selectors.alert_list)
    filterset_class = AlertFilter
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=RiskAlertUpdateSerializer, responses=RiskAlertSerializer)
    def partial_update(self, request, *args, **kwargs):
        alert = self.get_object()
        ser = RiskAlertUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        if not ser.validated_data:
            raise exceptions.ValidationError({"status": [_("Give a status or a note.")]})
        alert = _conflicts(
            lambda: services.alert_update(user=request.user, alert=alert, **ser.validated_data)
        )
        return Response(self.get_serializer(alert).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed("PUT")
        return super().update(request, *args, **kwargs)


# --- settings and override rates ---------------------------------------------------------


class GradeSerializer(serializers.Serializer):
    code = serializers.CharField()
    min_score = serializers.IntegerField(source="min_composite", read_only=True)
    max_score = serializers.IntegerField(source="max_composite", read_only=True)
    review_months = serializers.IntegerField(min_value=1, max_value=12, required=False)
    pd_pct = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        allow_null=True,
        required=False,
    )


PCT = {"min_value": Decimal("0"), "max_value": Decimal("100")}


class RiskSettingsSerializer(serializers.ModelSerializer):
    """PATCH any subset; ``haircuts`` merges per kind; ``scale`` changes the
    review months / PD of the grades named by ``code`` (bounds read-only)."""

    weight_credit = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("1")
    )
    weight_market = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("1")
    )
    weight_operational = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("1")
    )
    haircuts = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2, **PCT)
    )
    single_client_cap_pct = serializers.DecimalField(max_digits=5, decimal_places=2, **PCT)
    client_loans_cap_pct = serializers.DecimalField(max_digits=5, decimal_places=2, **PCT)
    large_exposure_pct = serializers.DecimalField(max_digits=5, decimal_places=2, **PCT)
    group_cap_pct = serializers.DecimalField(max_digits=5, decimal_places=2, **PCT)
    large_outflow_pct = serializers.DecimalField(max_digits=6, decimal_places=2, **PCT)
    kyc_refresh_years_high = serializers.IntegerField(min_value=1)
    kyc_refresh_years_medium = serializers.IntegerField(min_value=1)
    kyc_refresh_years_low = serializers.IntegerField(min_value=1)
    real_estate_revaluation_months = serializers.IntegerField(min_value=1)
    reminder_lead_days = serializers.IntegerField(min_value=0)
    scale = GradeSerializer(many=True, required=False)

    class Meta:
        model = RiskSettings
        fields = [*services.SETTINGS_FIELDS, "haircuts", "scale"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["haircuts"] = {k: str(instance.haircut_for(k)) for k in CollateralKind.values}
        data["scale"] = GradeSerializer(rating_scale(), many=True).data
        return data


class RiskSettingsView(ScopedAPIMixin, APIView):
    """GET /api/v1/risk-settings/ (desk staff); PATCH (risk officers, admins)."""

    def _check_desk(self, request):
        if request.user.role not in policy.DESK_ROLES:
            raise PermissionDenied("Only the risk desk's staff read the risk settings.")

    @extend_schema(responses=RiskSettingsSerializer)
    def get(self, request):
        self._check_desk(request)
        return Response(RiskSettingsSerializer(risk_settings()).data)

    @extend_schema(request=RiskSettingsSerializer, responses=RiskSettingsSerializer)
    def patch(self, request):
        self._check_desk(request)
        if not policy.can_edit_settings(request.user):
            raise PermissionDenied("Only risk officers and admins change the risk settings.")
        ser = RiskSettingsSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        fields = dict(ser.validated_data)
        scale = {g.pop("code"): g for g in (dict(item) for item in fields.pop("scale", None) or [])}
        obj = services.risk_settings_update(user=request.user, scale=scale, **fields)
        return Response(RiskSettingsSerializer(obj).data)


class OverrideRateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    approved = serializers.IntegerField()
    overridden = serializers.IntegerField()
    override_rate = serializers.DecimalField(max_digits=5, decimal_places=1)
    better = serializers.IntegerField()
    worse = serializers.IntegerField()
    overridden_clients = serializers.IntegerField()
    worse_since = serializers.IntegerField()
    non_performing = serializers.IntegerField()


class OverrideRatesSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    approvers = OverrideRateSerializer(many=True)
    branches = OverrideRateSerializer(many=True)


class OverrideRatesView(ScopedAPIMixin, APIView):
    """GET /api/v1/risk-override-rates/?months=12 (desk staff): per approver and branch."""

    @extend_schema(responses=OverrideRatesSerializer, parameters=[OpenApiParameter("months", int)])
    def get(self, request):
        if request.user.role not in policy.DESK_ROLES:
            raise PermissionDenied("Only the risk desk's staff read the override rates.")
        form = OverrideRatesForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        months = form.cleaned_data.get("months") or 12
        rates = override_rates.desk_override_rates(user=request.user, months=months, limit=None)
        return Response(
            OverrideRatesSerializer(
                {
                    "months": months,
                    "approvers": [r.as_api() for r in rates["approvers"]],
                    "branches": [r.as_api() for r in rates["branches"]],
                }
            ).data
        )


# --- watch list ----------------------------------------------------------------------------


class WatchListEntrySerializer(serializers.ModelSerializer):
    client = ClientField()
    client_name = serializers.CharField(source="client.name", read_only=True)
    reason = serializers.CharField(allow_blank=False, trim_whitespace=True)

    class Meta:
        model = WatchListEntry
        fields = [
            "id",
            "client",
            "client_name",
            "reason",
            "added_by",
            "added_at",
            "removed_by",
            "removed_at",
            "removal_reason",
        ]
        read_only_fields = ["added_by", "added_at", "removed_by", "removed_at", "removal_reason"]


class WatchRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=False, trim_whitespace=True)


class ProposalSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    client_name = serializers.CharField()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=["high_alert", "rating"]),
        help_text="Why the client is proposed: an unresolved high-severity alert, "
        "a current rating of CCC or worse.",
    )
    rating = serializers.CharField(allow_null=True)
    alert_kind = serializers.CharField(allow_null=True, help_text="The newest high alert's kind.")
    high_alerts = serializers.IntegerField()
    why = serializers.CharField(help_text="The reasons in the caller's language.")


class WatchListFilter(filters.FilterSet):
    """``current`` defaults to true: only entries still on the list."""

    client = IdFilter(field_name="client_id")
    current = filters.BooleanFilter(method="filter_current")

    class Meta:
        model = WatchListEntry
        fields = ["client", "current"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "current" not in data:
            data = data.copy()
            data["current"] = "true"
        super().__init__(data, *args, **kwargs)

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(removed_at__isnull=value)


def _all_entries(*, user):
    return watchlist.watch_list(user=user, current=None)


class WatchListViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The watch list of visible clients; risk officers add and remove (with a reason)."""

    serializer_class = WatchListEntrySerializer
    selector = staticmethod(_all_entries)
    filterset_class = WatchListFilter
    http_method_names = ["get", "post", "head", "options"]

    def filter_queryset(self, queryset):
        # the filters (current=true by default) are the list's: an entry's own
        # URL answers for removed entries too
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def create(self, request, *args, **kwargs):
        if not watchlist.may_edit(request.user):
            raise PermissionDenied("Only risk officers change the watch list.")
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        entry = watchlist.watch_add(user=request.user, **ser.validated_data)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WatchRemoveSerializer, responses=WatchListEntrySerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        entry = self.get_object()
        if not watchlist.may_edit(request.user):  # the role check comes before the body's
            raise PermissionDenied("Only risk officers change the watch list.")
        ser = WatchRemoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        entry = watchlist.watch_remove(
            user=request.user,
            client=entry.client,
            reason=ser.validated_data["reason"],
            entry_id=entry.pk,
        )
        return Response(self.get_serializer(entry).data)

    @extend_schema(responses=ProposalSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"])
    def proposals(self, request):
        """Visible clients not on the list with an unresolved high-severity alert
        or a current rating of CCC or worse (paginated)."""
        page = self.paginate_queryset(watchlist.proposals_queryset(user=request.user))
        rows = [p.as_api() for p in watchlist.as_proposals(page)]
        return self.get_paginated_response(ProposalSerializer(rows, many=True).data)
