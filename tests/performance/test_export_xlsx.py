"""/performance/export/?format=xlsx: the same rows as the CSV, opened with
openpyxl, formulas neutralised, audited with the format; a bad format is a 400."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from performance.exports import COLUMNS
from tenancy.context import tenant_scope
from tests.factories import UserFactory

from .helpers import answered, make_client, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(bank):
    for rm, score in ((bank.rm, 9), (bank.other_rm, 3)):
        answered(bank, make_client(bank, manager=rm), score)
    # a colleague whose name would run as a formula in a spreadsheet
    bank.formula_rm = UserFactory(
        username="formula_rm",
        first_name="=HYPERLINK(",
        tenant=bank.tenant,
        role="rm",
        branch=bank.branch,
    )
    answered(bank, make_client(bank, manager=bank.formula_rm), 10)
    bank.far_rm = UserFactory(
        username="a_far_rm", tenant=bank.tenant, role="rm", branch=bank.sibling_branch
    )
    answered(bank, make_client(bank, manager=bank.far_rm, branch=bank.sibling_branch), 0)
    run(bank)
    return bank


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in workbook.active.iter_rows(values_only=True)]


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _same(xlsx_cell, csv_cell) -> bool:
    if xlsx_cell is None:
        return csv_cell == ""
    if isinstance(xlsx_cell, int | float):
        return Decimal(str(xlsx_cell)) == Decimal(csv_cell)
    return str(xlsx_cell) == csv_cell


def test_xlsx_opens_and_matches_the_csv_rows(scored, web_for):
    web = web_for(scored.branch_head)
    sheet = _sheet(web.get("/performance/export/", {"format": "xlsx"}))
    rows = _csv(web.get("/performance/export/"))
    assert sheet[0] == list(COLUMNS) == rows[0]
    assert len(sheet) == len(rows) == 1 + 3  # the three RMs of the subtree, not the far one
    for x_row, c_row in zip(sheet[1:], rows[1:], strict=True):
        assert all(_same(x, c) for x, c in zip(x_row, c_row, strict=True)), (x_row, c_row)
    names = [r[COLUMNS.index("subject_name")] for r in sheet[1:]]
    assert "a_far_rm" not in " ".join(names)
    # numbers are numbers (a spreadsheet sums them)
    assert isinstance(sheet[1][COLUMNS.index("subject")], int)


def test_xlsx_neutralises_formula_cells(scored, web_for):
    workbook = load_workbook(
        io.BytesIO(web_for(scored.admin).get("/performance/export/?format=xlsx&view=rm").content)
    )
    cells = [c for row in workbook.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    names = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert names and all(n.startswith("'=") for n in names)


def test_rm_xlsx_is_their_own_row(scored, web_for):
    sheet = _sheet(web_for(scored.rm).get("/performance/export/?format=xlsx&view=branch"))
    assert len(sheet) == 2 and sheet[1][COLUMNS.index("subject")] == scored.rm.pk


def test_xlsx_export_is_audited_with_its_format(scored, web_for):
    from tenancy.models import AuditEvent

    web = web_for(scored.branch_head)
    web.get("/performance/export/?format=xlsx")
    web.get("/performance/export/")
    with tenant_scope(scored.tenant):
        events = AuditEvent.objects.filter(action="performance.exported").order_by("pk")
        assert [(e.data["format"], e.data["rows"]) for e in events] == [("xlsx", 3), ("csv", 3)]
        assert all(e.actor_id == scored.branch_head.pk for e in events)


def test_unknown_format_is_a_400_naming_the_field(scored, web_for):
    from tenancy.models import AuditEvent

    response = web_for(scored.branch_head).get("/performance/export/?format=pdf")
    assert response.status_code == 400 and b"format" in response.content
    with tenant_scope(scored.tenant):
        assert not AuditEvent.objects.filter(action="performance.exported").exists()


def test_other_tenant_sees_none_of_these_rows(scored, other_bank, web_for):
    sheet = _sheet(web_for(other_bank.branch_head).get("/performance/export/?format=xlsx"))
    assert sheet == [list(COLUMNS)]
