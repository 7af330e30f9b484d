"""Serializer fields bounded to what the database and the time-zone maths can hold.

A naive ``0001-01-01T00:00:00`` read in Asia/Shanghai is the year 0 in UTC:
DRF stored it and every later read of the row answered 500 (OverflowError).
Every model ``DateTimeField`` of an API serializer is a ``BoundedDateTimeField``
(tenancy/apps.py sets it in DRF's ModelSerializer mapping); write it explicitly
for serializer fields declared by hand. ``BoundedFormDateTimeField`` is the same for
HTML forms.
"""

from __future__ import annotations

from datetime import UTC

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

FIRST_YEAR, LAST_YEAR = 1900, 9998


class BoundedDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        "out_of_range": _("Enter a date and time between the years 1900 and 9998."),
    }

    def to_internal_value(self, value):
        try:
            result = super().to_internal_value(value)
            year = result.astimezone(UTC).year
        except (OverflowError, ValueError):
            self.fail("out_of_range")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            self.fail("out_of_range")
        return result


class BoundedFormDateTimeField(forms.DateTimeField):
    """The same bound for HTML forms (a page's time field)."""

    default_error_messages = BoundedDateTimeField.default_error_messages

    def to_python(self, value):
        try:
            result = super().to_python(value)
            year = result.astimezone(UTC).year if result is not None else None
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from exc
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return result
