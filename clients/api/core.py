"""Clients API (thin): serializers parse, selectors read, services write."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy.api_base import ScopedAPIMixin
from tenancy.filters import IdFilter

from .. import access, selectors, services
from ..models import (
    Client,
    ContactPerson,
    LifeEvent,
)
from .coverage import (
    AssignManagerSerializer,
    BulkReassignSerializer,
    CoverageChangeSerializer,
    TeamMemberSerializer,
)
from .fields import BranchField, Conflict, StaffField, VisibleClientField

# --- fields resolving incoming ids through selectors ---------------------------------


# --- clients -------------------------------------------------------------------------


class RevealSerializer(serializers.Serializer):
    national_id = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class ClientSerializer(serializers.ModelSerializer):
    branch = BranchField()
    dedicated_manager = StaffField(required=False, allow_null=True)
    # read-only fields lose allow_blank in DRF: say so, or the schema forbids "" (unrated)
    credit_rating = serializers.ChoiceField(
        choices=Client._meta.get_field("credit_rating").choices, allow_blank=True, read_only=True
    )
    national_id = serializers.CharField(
        required=False, allow_blank=True, help_text="Write only in plain; always read masked."
    )
    marketing_consent = serializers.DictField(child=serializers.BooleanField(), required=False)
    investment_goals = serializers.ListField(child=serializers.CharField(), required=False)
    interests = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Client
        fields = [
            "id",
            "kind",
            "name",
            "external_id",
            "branch",
            "dedicated_manager",
            "backup_manager",
            "tier",
            "aum",
            "currency",
            "exposure",
            "credit_rating",
            "risk_tolerance",
            "preferred_channel",
            "national_id",
            "phone",
            "email",
            "address",
            "lifecycle",
            "last_contacted_at",
            "language",
            "contact_time_from",
            "contact_time_to",
            "marketing_consent",
            "investment_goals",
            "interests",
            "kyc_status",
            "next_kyc_review",
            "kyc_risk_level",
            "kyc_reviewed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "backup_manager",
            "tier",
            "aum",
            "exposure",
            "credit_rating",
            "last_contacted_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"external_id": {"validators": []}}

    def validate(self, attrs):
        if self.instance is not None and "dedicated_manager" in attrs:
            raise serializers.ValidationError(
                {
                    "dedicated_manager": _(
                        "Change managers with POST /api/v1/clients/{id}/assign-manager/."
                    )
                }
            )
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        shown = access.client_pii_display(user=self.context["request"].user, client=instance)
        for field in ("national_id", "phone", "email", "address"):
            data[field] = shown[field]
        return data


class ClientFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label="name contains, external id, id number / phone / email (exact)",
    )
    tier = django_filters.ChoiceFilter(choices=Client.Tier.choices)
    lifecycle = django_filters.ChoiceFilter(choices=Client.Lifecycle.choices)
    risk_tolerance = django_filters.ChoiceFilter(choices=Client.RiskTolerance.choices)
    kind = django_filters.ChoiceFilter(choices=Client.Kind.choices)
    branch = IdFilter(field_name="branch_id")
    dedicated_manager = IdFilter(field_name="dedicated_manager_id")
    ordering = django_filters.ChoiceFilter(
        choices=[(k, k) for k in selectors.ORDERINGS], method="filter_ordering"
    )

    class Meta:
        model = Client
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(selectors.client_search_q(value)) if value.strip() else queryset

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*selectors.ORDERINGS[value])


def _api_clients(*, user):
    return selectors.client_list(user=user, with_pii=True)


class ClientViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Visible clients only; writes through the services (rules and audit)."""

    serializer_class = ClientSerializer
    selector = staticmethod(_api_clients)
    filterset_class = ClientFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.client_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.client_update(
            actor=self.request.user, client=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=None, responses=RevealSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        client = self.get_object()
        data = services.client_reveal(
            actor=request.user, client=client, ip_address=request.META.get("REMOTE_ADDR")
        )
        return Response(data)

    @extend_schema(request=AssignManagerSerializer, responses=ClientSerializer)
    @action(detail=True, methods=["post"], url_path="assign-manager")
    def assign_manager(self, request, pk=None):
        client = self.get_object()
        services.require_can_assign(request.user, client)
        data = AssignManagerSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        client = services.client_assign_manager(
            actor=request.user, client=client, **data.validated_data
        )
        return Response(ClientSerializer(client, context=self.get_serializer_context()).data)

    @extend_schema(
        request=BulkReassignSerializer,
        responses=inline_serializer(
            "BulkReassignResult",
            {
                "token": serializers.CharField(),
                "clients": serializers.IntegerField(),
                "changes": serializers.ListField(child=serializers.DictField()),
                "applied": serializers.BooleanField(),
            },
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk-reassign")
    def bulk_reassign(self, request):
        """Preview (``confirm: false``) then apply (``confirm: true`` with the
        preview's ``token``) a bulk reassignment: all or nothing, audited."""
        data = BulkReassignSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        confirm, token, reason = args.pop("confirm"), args.pop("token"), args.pop("reason")
        if not confirm:
            plan = services.bulk_reassign_plan(actor=request.user, **args)
            return Response({**services.summarize(plan), "applied": False})
        try:
            plan = services.bulk_reassign_confirm(
                actor=request.user, reason=reason, token=token or None, **args
            )
        except services.StalePlan as exc:
            raise Conflict(str(exc)) from None
        return Response({**services.summarize(plan), "applied": True})

    @extend_schema(responses=CoverageChangeSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="coverage-history")
    def coverage_history(self, request, pk=None):
        client = self.get_object()
        page = self.paginate_queryset(selectors.coverage_history(user=request.user, client=client))
        return self.get_paginated_response(CoverageChangeSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=TeamMemberSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=TeamMemberSerializer, responses={201: TeamMemberSerializer}
    )
    # a client's coverage team is a handful of people: a plain list, and the
    # schema says so (without this it described a paginated page)
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def team(self, request, pk=None):
        client = self.get_object()
        if request.method == "POST":
            services.require_can_assign(request.user, client)
            data = TeamMemberSerializer(data=request.data, context=self.get_serializer_context())
            data.is_valid(raise_exception=True)
            member = services.coverage_team_add(
                actor=request.user, client=client, **data.validated_data
            )
            return Response(
                TeamMemberSerializer(member, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )
        members = selectors.coverage_team(user=request.user, client=client)
        return Response(
            TeamMemberSerializer(members, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"team/(?P<member_id>\d+)")
    def team_remove(self, request, pk=None, member_id=None):
        client = self.get_object()
        member = selectors.coverage_member_get(
            user=request.user, client=client, member_id=member_id
        )
        services.coverage_team_remove(
            actor=request.user, member=member, reason=request.query_params.get("reason", "")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- contact persons, life events ------------------------------------------------------


class ContactPersonSerializer(serializers.ModelSerializer):
    client = VisibleClientField()

    class Meta:
        model = ContactPerson
        fields = [
            "id",
            "client",
            "name",
            "title",
            "is_decision_maker",
            "phone",
            "email",
            "preferred_channel",
        ]

    def validate(self, attrs):
        if (
            self.instance is not None
            and "client" in attrs
            and attrs["client"].pk != self.instance.client_id
        ):
            raise serializers.ValidationError(
                {"client": _("A contact person stays with their client.")}
            )
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.update(
            access.contact_pii_display(
                user=self.context["request"].user, contact=instance, client=instance.client
            )
        )
        return data


class ContactPersonViewSet(
    ScopedAPIMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = ContactPersonSerializer
    selector = staticmethod(selectors.contact_list)
    filterset_fields = ["client"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.contact_person_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        fields = {k: v for k, v in serializer.validated_data.items() if k != "client"}
        serializer.instance = services.contact_person_update(
            actor=self.request.user, contact=serializer.instance, **fields
        )

    def perform_destroy(self, instance):
        services.contact_person_delete(actor=self.request.user, contact=instance)


class LifeEventSerializer(serializers.ModelSerializer):
    client = VisibleClientField()

    class Meta:
        model = LifeEvent
        fields = ["id", "client", "kind", "date", "note", "created_at"]
        read_only_fields = ["created_at"]


class LifeEventViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = LifeEventSerializer
    selector = staticmethod(selectors.life_event_list)
    filterset_fields = ["client", "kind"]

    def perform_create(self, serializer):
        serializer.instance = services.life_event_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.life_event_delete(actor=self.request.user, event=instance)


# --- relationship groups ------------------------------------------------------------------
