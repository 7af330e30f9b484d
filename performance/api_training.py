"""/api/v1/trainings/ (API.md "Performance"): GET the training records the
caller may see (performance.training's visibility rule), POST (admins) a
record for any staff member of the tenant — others 403; a bad field is a 400
naming it."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from tenancy.api_base import ScopedAPIMixin, ScopedFilterSet
from tenancy.filters import IdFilter

from . import training
from .models_training import Certification, Training


class TrainingSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)
    certification = serializers.ChoiceField(
        choices=Certification.choices, required=False, allow_blank=True
    )
    expires_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = Training
        fields = ["id", "user", "course", "hours", "completed_on", "certification", "expires_on"]
        read_only_fields = ["id"]


class TrainingFilter(ScopedFilterSet):
    user = IdFilter(field_name="user_id")
    certification = filters.ChoiceFilter(choices=Certification.choices)

    class Meta:
        model = Training
        fields = ["user", "certification"]


class TrainingViewSet(
    ScopedAPIMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Training records: an RM their own, a branch head their subtree's staff,
    admin, risk officer and compliance the tenant's. Admins create for anyone
    of the tenant (``user`` of another tenant: 400 naming ``user``)."""

    serializer_class = TrainingSerializer
    selector = staticmethod(training.training_list)
    filterset_class = TrainingFilter

    @extend_schema(request=TrainingSerializer, responses={201: TrainingSerializer})
    def create(self, request, *args, **kwargs):
        data = request.data if isinstance(request.data, dict) else {}
        row = training.training_create(
            user=request.user,
            staff_id=data.get("user"),
            course=data.get("course", ""),
            hours=data.get("hours"),
            completed_on=data.get("completed_on"),
            certification=data.get("certification") or "",
            expires_on=data.get("expires_on"),
        )
        return Response(TrainingSerializer(row).data, status=status.HTTP_201_CREATED)
