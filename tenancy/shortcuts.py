"""The one get-or-404 every selector uses."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404


def get_or_404(queryset: QuerySet, pk):
    """The row of ``queryset`` with primary key ``pk``; 404 when there is none
    — whether it does not exist, belongs to another tenant, is outside what
    the user may see, or ``pk`` is not an integer (the same answer for all)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not -(2**63) <= pk < 2**63:
        raise Http404
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
