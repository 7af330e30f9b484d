"""The base of every API view: tenant scope after authentication, querysets
only from selectors, and one error shape.

Subclasses declare ``selector`` (a function ``(*, user) -> QuerySet`` built on
the access policy) and may not define ``get_queryset`` themselves (PostHog's
rule): a hand-written queryset is how a tenant filter gets forgotten.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .context import activate_in_transaction, current_tenant_id
from .filters import IdFilter, SafeDateFilter, SafeIsoDateTimeFilter
from .timezones import tenant_zone


class ScopedAPIMixin:
    selector = None  # staticmethod(fn(*, user) -> QuerySet)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} defines get_queryset(); declare `selector` instead so the "
                "queryset is built from the access policy."
            )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticates and checks permissions
        user = request.user
        if user.tenant_id is None:
            raise exceptions.PermissionDenied("Platform accounts have no tenant data.")
        if current_tenant_id() != user.tenant_id:
            activate_in_transaction(user.tenant_id)
            # token requests skipped TenantMiddleware's zone: answer in the tenant's too
            timezone.activate(tenant_zone(user.tenant))

    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation: no request, no tenant
            return self.get_serializer_class().Meta.model._base_manager.none()
        if self.selector is None:
            raise NotImplementedError(f"{type(self).__name__} must declare a selector")
        return type(self).selector(user=self.request.user)


def _messages(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(_messages(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


class ScopedFilterSet(filters.FilterSet):
    """Foreign keys filter by id. django-filter's default (a ModelChoiceFilter)
    queries the related table when the FilterSet class is built — outside any
    tenant scope during schema generation — and the rows being filtered are
    already scoped, so a plain id is all that is needed. Ids, dates and times use
    the filters of tenancy/filters.py (an out-of-range value is a 400, not a 500)."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.AutoField: {"filter_class": IdFilter},
        models.BigAutoField: {"filter_class": IdFilter},
        models.DateField: {"filter_class": SafeDateFilter},
        models.DateTimeField: {"filter_class": SafeIsoDateTimeFilter},
    }


class ScopedFilterBackend(filters.DjangoFilterBackend):
    filterset_base = ScopedFilterSet
