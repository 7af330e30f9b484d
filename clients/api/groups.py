"""Households and corporate groups: serializers and the viewset (members, totals)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy.api_base import ScopedAPIMixin

from .. import selectors, services
from ..models import (
    GroupMembership,
    RelationshipGroup,
)
from .fields import VisibleClientField


class MembershipSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    client_name = serializers.CharField(source="client.name", read_only=True)

    class Meta:
        model = GroupMembership
        fields = ["id", "client", "client_name", "role"]


class RelationshipGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = RelationshipGroup
        fields = ["id", "name", "kind", "note", "created_at"]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        if self.instance is not None and "kind" in attrs and attrs["kind"] != self.instance.kind:
            raise serializers.ValidationError({"kind": _("A group's kind cannot change.")})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        rollup = self.context.get("rollups", {}).get(instance.pk)
        if rollup is not None:
            data["totals"] = [
                {k: str(v) if k != "currency" else v for k, v in t.items()}
                for t in rollup["totals"]
            ]
            data["members_count"] = rollup["members"]
            data["hidden_members"] = rollup["hidden"]
        if "members" in self.context:
            data["members"] = MembershipSerializer(
                self.context["members"], many=True, context=self.context
            ).data
        return data


class RelationshipGroupViewSet(
    ScopedAPIMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Households and corporate groups. AUM and exposure are rolled up over the
    members the requester can see; ``hidden_members`` says how many are not."""

    serializer_class = RelationshipGroupSerializer
    selector = staticmethod(selectors.group_list)
    filterset_fields = ["kind"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {
            **self.get_serializer_context(),
            "rollups": selectors.group_rollups(user=request.user, group_ids=[g.pk for g in page]),
        }
        return self.get_paginated_response(
            self.get_serializer_class()(page, many=True, context=context).data
        )

    def retrieve(self, request, *args, **kwargs):
        group = self.get_object()
        return Response(self._detail(group))

    def _detail(self, group):
        user = self.request.user
        context = {
            **self.get_serializer_context(),
            "rollups": selectors.group_rollups(user=user, group_ids=[group.pk]),
            "members": selectors.group_members(user=user, group=group),
        }
        return RelationshipGroupSerializer(group, context=context).data

    def perform_create(self, serializer):
        serializer.instance = services.relationship_group_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        fields = {k: v for k, v in serializer.validated_data.items() if k in ("name", "note")}
        serializer.instance = services.relationship_group_update(
            actor=self.request.user, group=serializer.instance, **fields
        )

    @extend_schema(request=MembershipSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        group = self.get_object()
        data = MembershipSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        membership = services.group_member_add(
            actor=request.user, group=group, **data.validated_data
        )
        return Response(
            MembershipSerializer(membership, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<membership_id>\d+)")
    def member_remove(self, request, pk=None, membership_id=None):
        group = self.get_object()
        membership = selectors.membership_get(
            user=request.user, group=group, membership_id=membership_id
        )
        services.group_member_remove(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
