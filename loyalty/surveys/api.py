"""/api/v1/surveys/, survey-invitations/, survey-responses/ (API.md,
"Loyalty and client care"). Thin: serializers parse, services decide,
selectors read."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from tenancy.api_base import ScopedAPIMixin
from tenancy.filters import IdFilter

from ..models import Survey, SurveyInvitation, SurveyResponse
from . import selectors, services
from .links import invitation_url


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = ["id", "name", "kind", "question", "question_zh", "active"]


class SurveyViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Survey templates: every member of staff reads them; admins create."""

    serializer_class = SurveySerializer
    selector = staticmethod(selectors.survey_list)

    def list(self, request, *args, **kwargs):
        services.survey_defaults_ensure()  # a tenant older than surveys gets its NPS template
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        survey = services.survey_create(user=request.user, **ser.validated_data)
        return Response(self.get_serializer(survey).data, status=status.HTTP_201_CREATED)


@extend_schema_field(OpenApiTypes.INT)
class SurveyField(serializers.IntegerField):
    """A survey template id of the tenant (another tenant's: 400 naming ``survey``)."""

    def to_representation(self, value):
        return getattr(value, "pk", value)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return selectors.survey_get(user=self.context["request"].user, survey_id=value)
        except Http404:
            raise serializers.ValidationError(_("No such survey template.")) from None


class InvitationSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_id")
    survey = SurveyField(required=False, allow_null=True, default=None)
    status = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = SurveyInvitation
        fields = ["id", "client", "survey", "status", "url", "sent_at", "expires_at"]
        read_only_fields = ["sent_at", "expires_at"]

    @extend_schema_field(serializers.ChoiceField(choices=SurveyInvitation.Status.choices))
    def get_status(self, obj) -> str:
        return services.invitation_status(obj)

    def get_url(self, obj) -> str:
        return invitation_url(
            tenant_id=obj.tenant_id, invitation_id=obj.pk, request=self.context.get("request")
        )


class InvitationFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")

    class Meta:
        model = SurveyInvitation
        fields = ["client"]


class SurveyInvitationViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Invitations of visible clients; POST invites one (anyone who sees the
    client except compliance). The url is the client's single-use link."""

    serializer_class = InvitationSerializer
    selector = staticmethod(selectors.invitation_list)
    filterset_class = InvitationFilter

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        # an invisible or foreign client is a 404 (clients.access.client_get)
        invitation = services.invitation_create(
            user=request.user,
            client_id=ser.validated_data["client_id"],
            survey=ser.validated_data.get("survey"),
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)


class ResponseSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_id", read_only=True)
    invitation = serializers.IntegerField(source="invitation_id", read_only=True)
    category = serializers.CharField(
        allow_blank=True,
        read_only=True,
        help_text=("promoter 9–10, passive 7–8, detractor 0–6 (NPS); empty for CSAT (1–5)"),
    )

    class Meta:
        model = SurveyResponse
        fields = ["id", "client", "invitation", "score", "category", "comment", "answered_at"]
        read_only_fields = fields


class ResponseFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")

    class Meta:
        model = SurveyResponse
        fields = ["client"]


class SurveyResponseViewSet(ScopedAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Answers of visible clients (read-only: clients answer on the public page)."""

    serializer_class = ResponseSerializer
    selector = staticmethod(selectors.response_list)
    filterset_class = ResponseFilter
