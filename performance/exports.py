"""CSV export of a scorecard table (what the dashboard shows the viewer, no
more), audited. Every text cell is neutralised against spreadsheet formulas."""

from __future__ import annotations

import csv
import io

from tenancy.audit import audit_record
from tenancy.spreadsheets import csv_safe

from . import selectors

MEASURE_COLUMNS = (
    "nps",
    "responses",
    "clients",
    "retention_rate",
    "aum_growth_pct",
    "revenue",
    "reviews_overdue",
    "followups_overdue",
    "contacted_within_cadence_pct",
)
COLUMNS = (
    "period",
    "scope",
    "subject",
    "subject_name",
    "rank",
    "total",
    "satisfaction",
    "loyalty",
    "profit",
    "risk",
    *MEASURE_COLUMNS,
)


def scorecard_csv(*, user, period: str, scope: str, ip_address: str | None = None) -> str:
    """The CSV text (UTF-8 BOM for spreadsheets); writes the audit event."""
    rows = selectors.scorecard_rows(user=user, period=period, scope=scope)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.period,
                r.scope,
                r.subject_id,
                csv_safe(r.subject_name),
                r.viewer_rank if r.viewer_rank is not None else "",
                *(
                    "" if v is None else v
                    for v in (r.total, r.satisfaction, r.loyalty, r.profit, r.risk)
                ),
                *("" if r.measures.get(k) is None else r.measures.get(k) for k in MEASURE_COLUMNS),
            ]
        )
    audit_record(
        action="performance.exported",
        actor=user,
        object_type="performance.kpisnapshot",
        data={"period": period, "scope": scope, "rows": len(rows), "format": "csv"},
        ip_address=ip_address,
    )
    return buffer.getvalue()
