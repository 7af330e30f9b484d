"""/api/v1/events/, events/{id}/, events/{id}/invitations/ (API.md,
"Loyalty and client care"). Thin: serializers parse, services decide,
selectors read."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy.api_base import ScopedAPIMixin

from ..models import Event, EventInvitation
from . import selectors, services
from .links import rsvp_url


class EventSerializer(serializers.ModelSerializer):
    accepted = serializers.IntegerField(
        read_only=True, help_text="seats taken (accepted + attended)"
    )
    # values checked by the service (400 naming the field): platinum, gold, silver, standard
    target_tiers = serializers.ListField(child=serializers.CharField(), required=False)
    # Client interests (esg, tax_planning, estate_planning, ...)
    target_interests = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "kind",
            "starts_at",
            "location",
            "capacity",
            "accepted",
            "title_zh",
            "description",
            "ends_at",
            "target_tiers",
            "target_interests",
            "reminder_hours",
        ]


class EventInvitationSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_id", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = EventInvitation
        fields = ["id", "client", "status", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, obj) -> str:
        return rsvp_url(
            tenant_id=obj.tenant_id, invitation_id=obj.pk, request=self.context.get("request")
        )


class EventInviteSerializer(serializers.Serializer):
    clients = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)


class EventViewSet(
    ScopedAPIMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Client-care events: every member of staff reads them; admins and
    branch heads create; PATCH by admins and the branch heads who may edit
    (loyalty/events/policy.py). ``accepted`` is read-only."""

    serializer_class = EventSerializer
    selector = staticmethod(selectors.event_list)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        values = {k: v for k, v in ser.validated_data.items() if k != "accepted"}
        event = services.event_create(user=request.user, **values)
        event = selectors.event_get(user=request.user, event_id=event.pk)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        event = self.get_object()
        ser = self.get_serializer(event, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        services.event_update(user=request.user, event=event, **ser.validated_data)
        event = selectors.event_get(user=request.user, event_id=event.pk)
        return Response(self.get_serializer(event).data)

    @extend_schema(request=EventInviteSerializer, responses=EventInvitationSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="invitations")
    def invitations(self, request, pk=None):
        """GET: invitations of the clients the caller sees (paginated). POST
        ``{"clients": [ids]}``: invite them, all or none (400 naming ``clients``)."""
        event = self.get_object()
        if request.method == "GET":
            qs = selectors.invitation_list(user=request.user, event=event)
            page = self.paginate_queryset(qs)
            data = EventInvitationSerializer(page, many=True, context={"request": request}).data
            return self.get_paginated_response(data)
        ser = EventInviteSerializer(data=request.data)
        if not ser.is_valid():
            return Response(
                {"clients": ser.errors.get("clients", [_("Give a list of client numbers.")])},
                status=status.HTTP_400_BAD_REQUEST,
            )
        created = services.invitations_create(
            user=request.user, event=event, client_ids=ser.validated_data["clients"]
        )
        data = EventInvitationSerializer(created, many=True, context={"request": request}).data
        return Response({"results": data}, status=status.HTTP_201_CREATED)
