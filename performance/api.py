"""The API of KPI snapshots and weights (API.md "Performance"): thin views
over performance.selectors and performance.services."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from tenancy.api_base import ScopedAPIMixin
from tenancy.filters import IdFilter

from . import selectors, services
from .config import kpi_settings
from .models import WEIGHTED_DIMENSIONS, KpiSnapshot, Scope


def _score() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, read_only=True, allow_null=True
    )


class KpiSnapshotSerializer(serializers.ModelSerializer):
    subject = serializers.IntegerField(source="subject_id", read_only=True)
    satisfaction = _score()
    loyalty = _score()
    profit = _score()
    risk = _score()
    total = _score()
    rank = serializers.IntegerField(source="viewer_rank", read_only=True, allow_null=True)
    rank_in_bank = serializers.IntegerField(source="rank", read_only=True, allow_null=True)

    class Meta:
        model = KpiSnapshot
        fields = [
            "period",
            "scope",
            "subject",
            "subject_name",
            "satisfaction",
            "loyalty",
            "profit",
            "risk",
            "total",
            "rank",
            "rank_in_bank",
            "measures",
            "version",
            "computed_at",
        ]
        read_only_fields = fields


class KpiSnapshotFilter(filters.FilterSet):
    period = filters.CharFilter(field_name="period")
    scope = filters.ChoiceFilter(choices=Scope.choices)
    subject = IdFilter(field_name="subject_id")

    class Meta:
        model = KpiSnapshot
        fields = ["period", "scope", "subject"]


class KpiSnapshotViewSet(ScopedAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """KPI snapshots the caller may see: an RM their own rows, a branch head
    the RMs and branches of their subtree, admin, risk officer and compliance
    the tenant. ``rank`` is among the same period and scope within that reach."""

    serializer_class = KpiSnapshotSerializer
    selector = staticmethod(selectors.snapshot_list)
    filterset_class = KpiSnapshotFilter


class KpiWeightsSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField()
    loyalty = serializers.IntegerField()
    profit = serializers.IntegerField()
    risk = serializers.IntegerField()


class KpiWeightsView(ScopedAPIMixin, APIView):
    """GET the tenant's four dimension weights; PUT (admins) new ones —
    integers summing to 100, else 400."""

    @extend_schema(responses=KpiWeightsSerializer)
    def get(self, request):
        return Response(kpi_settings().weights())

    @extend_schema(request=KpiWeightsSerializer, responses=KpiWeightsSerializer)
    def put(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        weights = {name: data.get(name) for name in WEIGHTED_DIMENSIONS}
        row = services.kpi_weights_update(user=request.user, weights=weights)
        return Response(row.weights())
