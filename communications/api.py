"""/api/v1/interactions/, /api/v1/follow-ups/, /api/v1/notifications/ (API.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clients.access import client_get, visible_clients
from tenancy.api_base import ScopedAPIMixin
from tenancy.api_fields import BoundedDateTimeField
from tenancy.filters import IdFilter, SafeIsoDateTimeFilter

from . import selectors, services
from .models import FollowUp, Interaction, Notification


class ClientField(serializers.PrimaryKeyRelatedField):
    """A client id resolved through the access policy: an invisible or foreign
    client is a 404 (API.md), not a hint that it exists."""

    def get_queryset(self):
        return visible_clients(self.context["request"].user)

    def to_internal_value(self, data):
        return client_get(user=self.context["request"].user, client_id=data)


@extend_schema_field(OpenApiTypes.INT)
class ColleagueField(serializers.PrimaryKeyRelatedField):
    """A user id resolved among the active staff of the caller's tenant; any
    other id is a 400 on the field."""

    def get_queryset(self):
        return selectors.colleague_list(user=self.context["request"].user)


class ContactField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        from clients.models import ContactPerson

        return ContactPerson.objects.filter(
            client__in=selectors.visible_clients(self.context["request"].user).values("pk")
        )


class NextStepSerializer(serializers.Serializer):
    due_at = BoundedDateTimeField()
    note = serializers.CharField(allow_blank=True, required=False, default="")
    assignee = ColleagueField(required=False, allow_null=True)


class InteractionSerializer(serializers.ModelSerializer):
    client = ClientField()
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    contacts = ContactField(many=True, required=False)
    attendees = ColleagueField(many=True, required=False)
    follow_up = NextStepSerializer(
        write_only=True,
        required=False,
        help_text="Optional next step, opened as a follow-up in the same request.",
    )
    follow_ups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "client",
            "author",
            "kind",
            "occurred_at",
            "duration_minutes",
            "subject",
            "summary",
            "outcome",
            "sentiment",
            "confidential",
            "contacts",
            "attendees",
            "follow_up",
            "follow_ups",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # kind has a model default, but a call report must say what it was (the service
        # takes no default): a POST without it is a 400 naming ``kind``
        extra_kwargs = {"occurred_at": {"required": False}, "kind": {"required": True}}


class InteractionUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        fields = list(services.EDITABLE_FIELDS)


class InteractionFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    kind = filters.ChoiceFilter(choices=Interaction.Kind.choices)
    since = SafeIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")

    class Meta:
        model = Interaction
        fields = ["client", "kind", "since"]


STEP_FIELDS = ("assignee", "due_at", "note")


def _nest_step_errors(exc: DjangoValidationError) -> DjangoValidationError:
    """The next step's errors under ``follow_up`` (where the caller sent it)."""
    if not hasattr(exc, "error_dict") or not set(exc.message_dict) & set(STEP_FIELDS):
        return exc
    body = {f: m for f, m in exc.message_dict.items() if f not in STEP_FIELDS}
    step = {f: m for f, m in exc.message_dict.items() if f in STEP_FIELDS}
    return serializers.ValidationError({**body, "follow_up": step})


class InteractionViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Call reports on visible clients (confidential ones only for attendees,
    the client's managers and compliance). PATCH only inside the edit window."""

    serializer_class = InteractionSerializer
    selector = staticmethod(selectors.interaction_list)
    filterset_class = InteractionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def filter_queryset(self, queryset):
        return (
            super()
            .filter_queryset(queryset)
            .prefetch_related("contacts", "attendees", "follow_ups")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        step = data.pop("follow_up", None)
        try:
            serializer.instance = services.interaction_log(
                author=self.request.user, next_steps=[step] if step else [], **data
            )
        except DjangoValidationError as exc:
            raise _nest_step_errors(exc) from None

    @extend_schema(request=InteractionUpdateSerializer, responses=InteractionSerializer)
    def partial_update(self, request, *args, **kwargs):
        interaction = self.get_object()
        data = InteractionUpdateSerializer(interaction, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.interaction_update(
            actor=request.user, interaction=interaction, **data.validated_data
        )
        return Response(
            InteractionSerializer(interaction, context=self.get_serializer_context()).data
        )


class FollowUpSerializer(serializers.ModelSerializer):
    client = ClientField()
    assignee = ColleagueField(required=False)
    # plain string: task, next_step or revisit (an enum here would collide with Interaction.kind's name)
    kind = serializers.CharField(read_only=True)
    confidential = serializers.SerializerMethodField(
        help_text="Made from a confidential call report."
    )
    note_hidden = serializers.SerializerMethodField(
        help_text="The note is behind the ethical wall for the caller (and sent blank)."
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "client",
            "assignee",
            "due_at",
            "note",
            "note_hidden",
            "status",
            "kind",
            "interaction",
            "confidential",
            "reminded_at",
            "created_at",
        ]
        read_only_fields = ["kind", "interaction", "reminded_at", "created_at"]

    def get_confidential(self, obj) -> bool:
        if hasattr(obj, "confidential"):
            return bool(obj.confidential)
        return bool(obj.interaction_id and obj.interaction.confidential)

    def get_note_hidden(self, obj) -> bool:
        return bool(getattr(obj, "note_hidden", False))


class FollowUpUpdateSerializer(serializers.ModelSerializer):
    assignee = ColleagueField(required=False)

    class Meta:
        model = FollowUp
        fields = ["assignee", "due_at", "note", "status"]


class FollowUpFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    assignee = IdFilter(field_name="assignee_id")
    status = filters.ChoiceFilter(choices=FollowUp.Status.choices)
    due_before = SafeIsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = FollowUp
        fields = ["client", "assignee", "status", "due_before"]


class FollowUpViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = FollowUpSerializer
    selector = staticmethod(selectors.followup_list)
    filterset_class = FollowUpFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        if data.get("status", FollowUp.Status.OPEN) != FollowUp.Status.OPEN:
            raise serializers.ValidationError({"status": ["A new follow-up is open."]})
        serializer.instance = services.followup_create(
            actor=self.request.user,
            client=data["client"],
            assignee=data.get("assignee", self.request.user),
            due_at=data["due_at"],
            note=data.get("note", ""),
        )

    @extend_schema(request=FollowUpUpdateSerializer, responses=FollowUpSerializer)
    def partial_update(self, request, *args, **kwargs):
        follow_up = self.get_object()
        data = FollowUpUpdateSerializer(
            follow_up, data=request.data, partial=True, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        services.followup_update(actor=request.user, follow_up=follow_up, **data.validated_data)
        return Response(FollowUpSerializer(follow_up, context=self.get_serializer_context()).data)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "follow_up", "created_at", "read_at"]


class NotificationViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's notifications; ``unread`` filter; POST …/read/ marks one read."""

    serializer_class = NotificationSerializer
    selector = staticmethod(selectors.notification_list)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(user=request.user, notifications=[notification])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data, status=status.HTTP_200_OK)
