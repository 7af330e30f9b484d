"""Query-string filters that turn every value the database cannot hold into a 400
naming the filter, instead of a DataError or OverflowError (a 500):

- ``IdFilter``: an integer id within PostgreSQL's bigint (no ``1e999``, ``NaN``).
- ``SafeDateFilter``: a date before 9999-12-31, so a filter may add a day to it.
- ``SafeIsoDateTimeFilter``: ISO 8601, converted to UTC before it reaches the
  database (PostgreSQL refuses offsets beyond ±15:59, Python allows ±23:59) and
  within the years 1–9998.

API filtersets use these for every id, date and datetime filter; ScopedFilterSet
maps model fields to them for ``filterset_fields``.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

BIGINT_MAX = 2**63 - 1
LAST_DATE = date.max - timedelta(days=1)


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class SafeDateField(forms.DateField):
    default_error_messages = {"out_of_range": _("Enter a date before 9999-12-31.")}

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and result > LAST_DATE:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return result


class UtcIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {
        "out_of_range": _("Enter a date and time between the years 1 and 9998.")
    }

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except OverflowError as exc:
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from exc
        if result is None:
            return None
        try:
            result = result.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from exc
        if result.year > LAST_DATE.year - 1:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return result


class IdFilter(filters.NumberFilter):
    field_class = IdField


class SafeDateFilter(filters.DateFilter):
    field_class = SafeDateField


class SafeIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
