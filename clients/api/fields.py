"""Fields the clients API shares: ids resolved through the access policy and
tenancy's selectors (a foreign or invisible id is a 400/404, never a hint)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status

from tenancy import selectors as tenancy_selectors

from .. import selectors


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


class BranchField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return tenancy_selectors.branch_list(user=self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class StaffField(serializers.PrimaryKeyRelatedField):
    """A staff member of the requester's bank; any other id gets ``message``."""

    message = gettext_lazy("The manager must be an active relationship manager of this bank.")

    def __init__(self, *args, message=None, **kwargs):
        if message:
            self.message = message
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return tenancy_selectors.staff_list(user=self.context["request"].user)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            raise serializers.ValidationError(str(self.message)) from None


class VisibleClientField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return selectors.client_list(user=self.context["request"].user)
