"""/api/v1/clients/{id}/points/, points-adjustments/, rewards/ and
redemptions/ — API.md "Loyalty and client care". Thin: serializers parse,
services decide, selectors read (loyalty/points/)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.access import RANKED_TIERS, client_get, visible_clients
from tenancy.api_base import ScopedAPIMixin
from tenancy.filters import IdFilter

from .models import EntryKind, PointsAdjustmentRequest, PointsEntry, Redemption, Reward
from .points import selectors, services

API_ENTRIES = 100  # newest entries in GET clients/{id}/points/ (``?limit=`` up to 500)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


@extend_schema_field(OpenApiTypes.INT)
class ClientField(serializers.PrimaryKeyRelatedField):
    """A client id resolved through the access policy (invisible or foreign → 404)."""

    def get_queryset(self):
        return visible_clients(self.context["request"].user)

    def to_internal_value(self, data):
        return client_get(user=self.context["request"].user, client_id=data)


@extend_schema_field(OpenApiTypes.INT)
class RewardField(serializers.PrimaryKeyRelatedField):
    """A reward of the tenant's catalogue (foreign or missing → 404)."""

    def get_queryset(self):
        return selectors.reward_list(user=self.context["request"].user)

    def to_internal_value(self, data):
        return selectors.reward_get(user=self.context["request"].user, reward_id=data)


# --- a client's points -----------------------------------------------------------------------


class PointsEntrySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices, read_only=True)

    class Meta:
        model = PointsEntry
        fields = ["id", "kind", "points", "reason", "created_at", "expires_at"]
        read_only_fields = fields


class ClientPointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    entries = PointsEntrySerializer(many=True)


class AdjustSerializer(serializers.Serializer):
    points = serializers.IntegerField(help_text="Non-zero; negative deducts.")
    reason = serializers.CharField(max_length=300)

    def validate_points(self, value):
        if value == 0:
            raise serializers.ValidationError(_("Give a whole number of points other than zero."))
        return value


class AdjustedSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    entry = PointsEntrySerializer()


class AdjustmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsAdjustmentRequest
        fields = [
            "id",
            "client",
            "points",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "entry",
        ]
        read_only_fields = fields


class ClientPointsView(ScopedAPIMixin, APIView):
    """GET the balance and the newest entries of a visible client; POST (admins)
    an adjustment — 201 when applied, 202 with a pending request above the
    tenant's four-eyes threshold (a second admin approves it)."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="entries, newest first (≤ 500)")],
        responses=ClientPointsSerializer,
    )
    def get(self, request, client_id):
        client = client_get(user=request.user, client_id=client_id)
        try:
            limit = min(max(int(request.query_params.get("limit", API_ENTRIES)), 1), 500)
        except ValueError:
            raise exceptions.ValidationError({"limit": [_("A whole number.")]}) from None
        data = selectors.points_summary(user=request.user, client=client, limit=limit)
        return Response(ClientPointsSerializer(data).data)

    @extend_schema(
        request=AdjustSerializer,
        responses={
            201: AdjustedSerializer,
            202: OpenApiResponse(AdjustmentSerializer, description="waiting for a second admin"),
        },
    )
    def post(self, request, client_id):
        client = client_get(user=request.user, client_id=client_id)
        ser = AdjustSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = services.points_adjust(user=request.user, client=client, **ser.validated_data)
        if isinstance(result, PointsAdjustmentRequest):
            return Response(AdjustmentSerializer(result).data, status=status.HTTP_202_ACCEPTED)
        balance = selectors.points_balance(client=client)
        return Response(
            AdjustedSerializer({"balance": balance, "entry": result}).data,
            status=status.HTTP_201_CREATED,
        )


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class AdjustmentFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    status = filters.ChoiceFilter(choices=PointsAdjustmentRequest.Status.choices)

    class Meta:
        model = PointsAdjustmentRequest
        fields = ["client", "status"]


class PointsAdjustmentViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Adjustments above the four-eyes threshold (admins). ``approve`` and
    ``reject`` by a second admin: the requester gets 403, a decided request 409."""

    serializer_class = AdjustmentSerializer
    selector = staticmethod(selectors.adjustment_list)
    filterset_class = AdjustmentFilter

    def _decide(self, fn):
        try:
            return fn()
        except services.StateConflict as exc:
            raise Conflict(str(exc)) from None

    @extend_schema(request=None, responses=AdjustmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        adjustment = self.get_object()
        done = self._decide(
            lambda: services.adjustment_approve(user=request.user, adjustment=adjustment)
        )
        return Response(self.get_serializer(done).data)

    @extend_schema(request=DecisionSerializer, responses=AdjustmentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        adjustment = self.get_object()
        ser = DecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        done = self._decide(
            lambda: services.adjustment_reject(
                user=request.user, adjustment=adjustment, note=ser.validated_data["note"]
            )
        )
        return Response(self.get_serializer(done).data)


# --- rewards -----------------------------------------------------------------------------------


class RewardSerializer(serializers.ModelSerializer):
    points_cost = serializers.IntegerField(min_value=1, max_value=services.MAX_POINTS)
    stock = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    min_tier = serializers.ChoiceField(
        # "standard" is every client, i.e. no minimum (null); a choice set of its own
        choices=[c for c in Reward._meta.get_field("min_tier").choices if c[0] in RANKED_TIERS],
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
    )

    class Meta:
        model = Reward
        fields = ["id", "name", "description", "points_cost", "stock", "min_tier", "active"]
        extra_kwargs = {"description": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["min_tier"] = data["min_tier"] or None
        return data


class RewardFilter(filters.FilterSet):
    active = filters.BooleanFilter()

    class Meta:
        model = Reward
        fields = ["active"]


class RewardViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The rewards catalogue: every staff member reads it; admins add and change rewards."""

    serializer_class = RewardSerializer
    selector = staticmethod(selectors.reward_list)
    filterset_class = RewardFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        reward = services.reward_create(user=request.user, **_reward_fields(ser.validated_data))
        return Response(self.get_serializer(reward).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        reward = self.get_object()
        ser = self.get_serializer(reward, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        reward = services.reward_update(
            user=request.user, reward=reward, **_reward_fields(ser.validated_data)
        )
        return Response(self.get_serializer(reward).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed("PUT")
        return super().update(request, *args, **kwargs)


def _reward_fields(data: dict) -> dict:
    if "min_tier" in data and data["min_tier"] is None:
        data = {**data, "min_tier": ""}
    return data


# --- redemptions ---------------------------------------------------------------------------------


class RedemptionSerializer(serializers.ModelSerializer):
    client = ClientField()
    reward = RewardField()
    reward_name = serializers.CharField(source="reward.name", read_only=True)

    class Meta:
        model = Redemption
        fields = ["id", "client", "reward", "reward_name", "points", "created_by", "created_at"]
        read_only_fields = ["points", "created_by", "created_at"]


class RedemptionFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    reward = IdFilter(field_name="reward_id")

    class Meta:
        model = Redemption
        fields = ["client", "reward"]


class RedemptionViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Redemptions of visible clients; POST ``{"client", "reward"}`` by the
    client's managers or an admin → 201, the balance falls by ``points_cost``."""

    serializer_class = RedemptionSerializer
    selector = staticmethod(selectors.redemption_list)
    filterset_class = RedemptionFilter

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        client = ser.validated_data["client"]
        if not services.policy.can_redeem(request.user, client):
            raise PermissionDenied(_("Only the client's managers or an admin redeem points."))
        redemption = services.redemption_create(
            user=request.user, client=client, reward=ser.validated_data["reward"]
        )
        return Response(self.get_serializer(redemption).data, status=status.HTTP_201_CREATED)
