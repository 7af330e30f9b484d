"""The client list's rows are written by ``{% client_rows %}`` (Python, for
speed): every column the list showed through the template, escaped, in the
reader's language and the tenant's time zone, the bulk checkbox only for the
roles that may reassign."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _row(html: str, client) -> str:
    match = re.search(rf'<tr data-client="{client.pk}">(.*?)</tr>', html, re.S)
    assert match, "no row"
    return match.group(1)


def test_a_row_shows_every_column_escaped(bank, web_for):
    # 23:30 on 1 March in Shanghai is still 28 February in UTC: the tenant's day is shown
    contacted = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    client = ClientFactory(
        branch=bank.branch,
        dedicated_manager=bank.rm,
        name='Wang & "Sons" <Ltd>',
        external_id="CB<1>",
        kind="corporate",
        tier="gold",
        aum=Decimal("1234567.5"),
        lifecycle="active",
        risk_tolerance="balanced",
        last_contacted_at=contacted,
    )
    html = web_for(bank.rm).get("/clients/").content.decode()
    row = _row(html, client)
    assert f'<a href="/clients/{client.pk}/">Wang &amp; &quot;Sons&quot; &lt;Ltd&gt;</a>' in row
    assert "<td>CB&lt;1&gt;</td>" in row and "<Ltd>" not in row
    assert '<span class="badge gold">' in row
    assert "1,234,567.50 CNY" in row
    assert bank.branch.name in row
    assert (bank.rm.get_full_name() or bank.rm.username) in row
    assert "2026-03-01" in row
    assert 'name="client_ids"' not in row  # an RM does not bulk-reassign


def test_unassigned_clients_and_the_bulk_box_for_a_branch_head(bank, web_for):
    client = ClientFactory(branch=bank.branch, dedicated_manager=None, name="Nobody's")
    html = web_for(bank.branch_head).get("/clients/").content.decode()
    row = _row(html, client)
    assert '<span class="badge danger">' in row and "—" in row  # unassigned, never contacted
    assert f'name="client_ids" value="{client.pk}" form="bulk-form"' in row
    assert 'aria-label="Nobody&#x27;s"' in row


def test_labels_follow_the_readers_language(bank, other_bank, web_for):
    other_bank.tenant.locale = "en"  # the tenant's default language (no staff choice made)
    other_bank.tenant.save()
    zh_client = ClientFactory(branch=bank.branch, dedicated_manager=bank.rm, tier="platinum")
    en_client = ClientFactory(
        branch=other_bank.branch, dedicated_manager=other_bank.rm, tier="platinum"
    )
    zh = _row(web_for(bank.rm).get("/clients/").content.decode(), zh_client)
    en = _row(web_for(other_bank.rm).get("/clients/").content.decode(), en_client)
    assert "白金" in zh and "活跃" in zh
    assert "Platinum" in en and "Active" in en and not re.search(r"[\u4e00-\u9fff]", en)


def test_no_client_is_a_row_saying_so(bank, web_for):
    html = web_for(bank.rm).get("/clients/?q=nobody-at-all").content.decode()
    assert 'colspan="10"' in html and "data-client=" not in html


def _options(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_the_branch_and_manager_filters_offer_the_tenants_own_and_filter(bank, other_bank, web_for):
    ClientFactory(branch=bank.branch, dedicated_manager=bank.rm, name="Mine")
    ClientFactory(
        branch=bank.sibling_branch,
        dedicated_manager=bank.other_rm,
        backup_manager=bank.rm,
        name="Backed up",
    )
    ClientFactory(branch=other_bank.branch, dedicated_manager=other_bank.rm, name="Elsewhere")
    web = web_for(bank.admin)
    html = web.get("/clients/").content.decode()
    branches, managers = _options(html, "branch"), _options(html, "manager")
    assert set(branches) == {
        "",
        *(str(b.pk) for b in (bank.head_office, bank.region, bank.branch, bank.sibling_branch)),
    }
    assert branches[str(bank.sibling_branch.pk)] == "a Jing&#x27;an"
    assert set(managers) == {"", str(bank.rm.pk), str(bank.other_rm.pk)}  # RMs only, this bank's
    assert managers[str(bank.rm.pk)] == (bank.rm.get_full_name() or bank.rm.username)

    def shown(**params):
        return {row.name for row in web.get("/clients/", params).context["page"]}

    assert shown(manager=bank.rm.pk) == {"Mine", "Backed up"}  # dedicated or backup
    assert shown(branch=bank.sibling_branch.pk) == {"Backed up"}
    # another bank's RM is no option: the filter is refused and the list unfiltered
    response = web.get("/clients/", {"manager": other_bank.rm.pk})
    assert "manager" in response.context["form"].errors
    assert {row.name for row in response.context["page"]} == {"Mine", "Backed up"}


def _filters(html: str) -> str:
    return re.search(r'<form method="get" class="filters".*?</form>', html, re.S).group(0)


def test_the_landing_filters_are_rendered_once_per_language_and_match_a_fresh_render(bank, web_for):
    from tenancy import directory

    web = web_for(bank.admin)
    first = _filters(web.get("/clients/").content.decode())
    cached = _filters(web.get("/clients/").content.decode())
    directory.clear()
    fresh = _filters(web.get("/clients/").content.decode())
    assert first == cached == fresh
    assert '<select name="manager"' in fresh and "全部客户经理" in fresh  # the tenant's Chinese
    web.post("/i18n/setlang/", {"language": "en", "next": "/clients/"})
    english = _filters(web.get("/clients/").content.decode())
    assert "All managers" in english and "全部客户经理" not in english
    # filtered, the form is the request's own: the chosen option selected
    filtered = web.get("/clients/", {"manager": bank.rm.pk}).content.decode()
    assert f'<option value="{bank.rm.pk}" selected>' in _filters(filtered)
