"""Small things a newcomer trips over: live counters, empty states, numbers."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.communications.factories import make_followup, make_interaction
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

HTMX_FROM_MY_DAY = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@pytest.fixture
def managed(bank):
    return ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)


def _counter(html: str, key: str) -> str:
    return re.search(rf'<span class="badge" id="fu-count-{key}"[^>]*>(\d+)</span>', html).group(1)


def test_my_day_counters_count_open_follow_ups(bank, managed, web_for):
    for _ in range(2):
        make_followup(managed, bank.rm, due_at=timezone.now() - timedelta(days=1))
    html = web_for(bank.rm).get("/").content.decode()
    assert _counter(html, "overdue") == "2"


def test_done_from_my_day_swaps_the_counters_out_of_band(bank, managed, web_for):
    overdue = make_followup(managed, bank.rm, due_at=timezone.now() - timedelta(days=1))
    make_followup(managed, bank.rm, due_at=timezone.now() - timedelta(days=2))
    r = web_for(bank.rm).post(
        reverse("communications:followup_status", args=[overdue.pk]),
        {"status": "done"},
        **HTMX_FROM_MY_DAY,
    )
    html = r.content.decode()
    assert f'id="followup-{overdue.pk}"' in html  # the row itself
    oob = re.findall(r'<span class="badge" id="fu-count-(\w+)"[^>]*hx-swap-oob="true">(\d+)<', html)
    assert dict(oob) == {"overdue": "1", "today": "0", "upcoming": "0"}


def test_done_from_the_follow_ups_page_sends_no_counters(bank, managed, web_for):
    fu = make_followup(managed, bank.rm, due_at=timezone.now() - timedelta(days=1))
    r = web_for(bank.rm).post(
        reverse("communications:followup_status", args=[fu.pk]),
        {"status": "done"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/follow-ups/",
    )
    assert "hx-swap-oob" not in r.content.decode()


def test_no_amendments_reads_as_an_empty_state_not_a_list_item(bank, managed, web_for):
    interaction = make_interaction(managed, bank.rm)
    html = (
        web_for(bank.rm)
        .get(reverse("communications:interaction_detail", args=[interaction.pk]))
        .content.decode()
    )
    assert 'data-testid="no-amendments"' in html and "暂无补充说明" in html
    assert 'data-testid="amendments"' not in html


def test_product_table_groups_thousands(bank, web_for):
    from clients.models import Product

    with bank.scope():
        Product.objects.create(
            tenant=bank.tenant,
            code="WM-1",
            name="Wealth fund",
            category=Product._meta.get_field("category").choices[0][0],
            risk_level=2,
            min_investment=Decimal("1000000.00"),
            currency="CNY",
        )
    html = web_for(bank.admin).get(reverse("clients:products")).content.decode()
    assert "1,000,000.00 CNY" in html


def test_identity_numbers_are_marked_unbreakable(bank, managed, web_for):
    html = web_for(bank.rm).get(reverse("clients:detail", args=[managed.pk])).content.decode()
    assert '<dd data-field="national_id" class="ident">' in html
    css = (Path(__file__).resolve().parents[2] / "static/css/steward.css").read_text()
    assert re.search(r"\.ident[^{]*\{[^}]*white-space: nowrap", css)
