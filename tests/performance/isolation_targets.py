"""URL parameters of performance for the URL walk (tests/isolation/README.md).

The drill-down's path names only the measure; the subject (an RM, a branch or
the tenant) is in the query string, and tests/performance/test_views.py asks
for another tenant's subjects there (404)."""

from __future__ import annotations

TARGETS = {
    "performance:drill": lambda bank: {"measure": "detractors"},
}
