"""CSV export of the audit trail for compliance.

The export is itself an audit event (written in the request, before the file
streams, with the filters and the row count). Rows are streamed in
keyset-paginated chunks, each read inside its own ``tenant_scope`` because a
streaming response is iterated after the request's transaction has ended.
Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils import translation

from . import selectors
from .audit import audit_record
from .audit_display import audit_rows
from .context import tenant_scope
from .spreadsheets import csv_safe

CHUNK = 2000
COLUMNS = [
    "seq",
    "occurred_at",
    "actor",
    "actor_name",
    "action",
    "event",
    "object_type",
    "object_id",
    "object_name",
    "data",
    "ip_address",
    "hash",
]


def audit_export_record(*, user, filters: dict, ip_address: str | None = None) -> int:
    """Audit the export (call inside the request, before streaming); returns the row count."""
    count = selectors.audit_list(user=user, **filters).count()
    audit_record(
        action="audit.exported",
        actor=user,
        object_type="tenancy.auditevent",
        data={
            "rows": count,
            "filters": {k: str(v) for k, v in filters.items() if v not in (None, "")},
        },
        ip_address=ip_address,
    )
    return count


def _row(row, tz) -> list[str]:
    e = row.event
    return [
        str(e.seq),
        e.occurred_at.astimezone(tz).isoformat(),
        csv_safe(e.actor_username),
        csv_safe(row.actor_name),
        csv_safe(e.action),
        csv_safe(row.action_label),
        csv_safe(e.object_type),
        csv_safe(e.object_id),
        csv_safe(row.object_name),
        csv_safe("; ".join(f"{k}: {v}" for k, v in row.data)),
        e.ip_address or "",
        e.hash,
    ]


def audit_export_stream(*, user, filters: dict, tz, language: str) -> Iterator[str]:
    """CSV text chunks, newest event first (UTF-8 with BOM for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    last_seq = None
    while True:
        buffer.seek(0)
        buffer.truncate()
        with tenant_scope(user.tenant_id), translation.override(language):
            qs = selectors.audit_list(user=user, **filters)
            if last_seq is not None:
                qs = qs.filter(seq__lt=last_seq)
            rows = audit_rows(user=user, events=qs[:CHUNK])
            for row in rows:
                writer.writerow(_row(row, tz))
        if not rows:
            return
        last_seq = rows[-1].event.seq
        yield buffer.getvalue()
