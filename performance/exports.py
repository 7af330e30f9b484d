"""CSV and Excel (xlsx) export of a scorecard table (what the dashboard shows
the viewer, no more), audited. Both formats carry the same rows; every text
cell is neutralised against spreadsheet formulas."""

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


FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scorecard_table(*, user, period: str, scope: str) -> list[list]:
    """The rows the viewer sees, one list of cells per row (header excluded):
    numbers as numbers, ``None`` for no value, text neutralised."""
    rows = selectors.scorecard_rows(user=user, period=period, scope=scope)
    return [
        [
            r.period,
            r.scope,
            r.subject_id,
            csv_safe(r.subject_name),
            r.viewer_rank,
            r.total,
            r.satisfaction,
            r.loyalty,
            r.profit,
            r.risk,
            *(r.measures.get(k) for k in MEASURE_COLUMNS),
        ]
        for r in rows
    ]


def _audit(*, user, period: str, scope: str, rows: int, fmt: str, ip_address) -> None:
    audit_record(
        action="performance.exported",
        actor=user,
        object_type="performance.kpisnapshot",
        data={"period": period, "scope": scope, "rows": rows, "format": fmt},
        ip_address=ip_address,
    )


def scorecard_csv(*, user, period: str, scope: str, ip_address: str | None = None) -> str:
    """The CSV text (UTF-8 BOM for spreadsheets); writes the audit event."""
    table = scorecard_table(user=user, period=period, scope=scope)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for cells in table:
        writer.writerow(["" if v is None else v for v in cells])
    _audit(user=user, period=period, scope=scope, rows=len(table), fmt="csv", ip_address=ip_address)
    return buffer.getvalue()


def scorecard_xlsx(*, user, period: str, scope: str, ip_address: str | None = None) -> bytes:
    """The same rows as the CSV as an Excel workbook (one sheet, numbers as
    numbers, empty cells for no value); writes the audit event."""
    # imported here: openpyxl is ~8 MiB in every web and worker process otherwise
    from openpyxl import Workbook

    table = scorecard_table(user=user, period=period, scope=scope)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"{scope} {period}")
    sheet.append(list(COLUMNS))
    for cells in table:
        # numbers stay numbers; text is already neutralised (csv_safe), and is
        # written as a string cell, never as a formula
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _audit(
        user=user, period=period, scope=scope, rows=len(table), fmt="xlsx", ip_address=ip_address
    )
    return buffer.getvalue()
