"""Serializers of the coverage actions on clients (assign-manager,
bulk-reassign, history, team); the actions themselves live on ClientViewSet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ..models import (
    CoverageChange,
    CoverageTeamMember,
)
from .fields import StaffField


class AssignManagerSerializer(serializers.Serializer):
    manager = StaffField(allow_null=True)
    role = serializers.ChoiceField(
        choices=[("dedicated", "dedicated"), ("backup", "backup")], default="dedicated"
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class BulkReassignSerializer(serializers.Serializer):
    to_manager = StaffField()
    from_manager = StaffField(
        required=False, allow_null=True, message=gettext_lazy("Unknown staff member.")
    )
    client_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_empty=True
    )
    role = serializers.ChoiceField(
        choices=[("dedicated", "dedicated"), ("backup", "backup")], default="dedicated"
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    confirm = serializers.BooleanField(default=False)
    token = serializers.CharField(required=False, allow_blank=True, default="")


class CoverageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoverageChange
        fields = [
            "id",
            "kind",
            "from_user",
            "to_user",
            "reason",
            "changed_by",
            "changed_at",
            "batch",
        ]


class TeamMemberSerializer(serializers.ModelSerializer):
    user = StaffField(message=gettext_lazy("Choose an active staff member of this bank."))
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = CoverageTeamMember
        fields = ["id", "user", "team_role", "added_at", "reason"]
        read_only_fields = ["added_at"]
