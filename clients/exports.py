"""CSV export of the clients a user may see.

Personal data is shown exactly as on the screen and in the API (one rule,
``clients.access.client_pii_display``): the national id always masked; phone,
email and address plain only for the client's own dedicated or backup
manager. Every text cell is neutralised against spreadsheet formulas. Every export is audited (one event, with the
row count). The CSV is streamed: rows are read in keyset-paginated chunks,
each inside its own ``tenant_scope`` because a streaming response is iterated
after the request's transaction has ended.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from clients.access import client_pii_display
from tenancy.audit import audit_record
from tenancy.context import tenant_scope
from tenancy.spreadsheets import csv_safe

from .selectors.portfolio import client_export_list

CHUNK = 2000
COLUMNS = [
    "external_id",
    "name",
    "kind",
    "tier",
    "aum",
    "exposure",
    "currency",
    "risk_tolerance",
    "lifecycle",
    "branch",
    "dedicated_manager",
    "backup_manager",
    "credit_rating",
    "national_id",
    "phone",
    "email",
    "address",
    "last_contacted_at",
]


def client_row(client, *, user) -> list[str]:
    """One CSV row: personal data under the one masking rule of the screen and
    the API (``clients.access.client_pii_display``), every text cell
    neutralised against spreadsheet formulas."""
    pii = client_pii_display(user=user, client=client)
    text = [
        client.external_id,
        client.name,
        client.kind,
        client.tier,
    ]
    more_text = [
        client.currency,
        client.risk_tolerance,
        client.lifecycle,
        client.branch.name,
        getattr(client.dedicated_manager, "username", ""),
        getattr(client.backup_manager, "username", ""),
        client.credit_rating,
        pii["national_id"],
        pii["phone"],
        pii["email"],
        pii["address"],
    ]
    return [
        *(csv_safe(cell) for cell in text),
        str(client.aum),  # amounts: Decimal, never a formula
        str(client.exposure),
        *(csv_safe(cell) for cell in more_text),
        client.last_contacted_at.isoformat() if client.last_contacted_at else "",
    ]


def clients_export_audit(*, user, ip_address: str | None = None, channel: str = "web") -> int:
    """Record the export (call inside the request, before streaming); returns the row count."""
    count = client_export_list(user=user).count()
    audit_record(
        action="clients.exported",
        actor=user,
        object_type="clients.client",
        data={"rows": count, "channel": channel},
        ip_address=ip_address,
    )
    return count


def clients_export_stream(*, user) -> Iterator[str]:
    """CSV text chunks of ``user``'s visible clients (UTF-8 with BOM for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    last_id = 0
    while True:
        buffer.seek(0)
        buffer.truncate()
        with tenant_scope(user.tenant_id):
            chunk = list(client_export_list(user=user).filter(id__gt=last_id)[:CHUNK])
        if not chunk:
            return
        for client in chunk:
            writer.writerow(client_row(client, user=user))
        last_id = chunk[-1].pk
        yield buffer.getvalue()
