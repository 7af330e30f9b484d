"""Forms and the client's contact preferences read plainly."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.urls import reverse

from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _groups(html: str) -> list[tuple[str, str]]:
    """(field name, the fieldset's html) for each group of boxes."""
    return re.findall(
        r'<fieldset class="field choice-group[^"]*" data-field="(\w+)">(.*?)</fieldset>', html, re.S
    )


def test_every_checkbox_group_has_its_heading_before_its_boxes(bank, web_for):
    html = web_for(bank.admin).get(reverse("clients:create")).content.decode()
    groups = dict(_groups(html))
    assert {"consent", "investment_goals", "interests"} <= set(groups)
    for name, body in groups.items():
        legend = body.index("<legend>")
        assert legend < body.index('type="checkbox"'), name
    # the consent heading is not rendered after the investment goals' boxes
    consent = html.index('data-field="consent"')
    goals = html.index('data-field="investment_goals"')
    assert consent < goals
    assert html.index("<legend>", goals) < html.index('name="investment_goals"', goals)


def test_a_single_checkbox_keeps_its_label_beside_it(bank, web_for):
    html = (
        web_for(bank.admin).get(reverse("tenancy:staff_edit", args=[bank.rm.pk])).content.decode()
    )
    assert re.search(r'<label class="choice"><input type="checkbox" name="is_active"', html)


def test_consent_reads_granted_or_not_granted_per_channel(bank, web_for):
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        marketing_consent={"phone": True, "email": False},
    )
    html = web_for(bank.rm).get(reverse("clients:detail", args=[client.pk])).content.decode()
    consent = html[html.index('data-testid="consent"') :]
    consent = consent[: consent.index("</ul>")]
    assert re.search(r'data-granted="yes">电话: <strong class="consent-yes">已同意', consent)
    assert re.search(r'data-granted="no">邮箱: <span class="consent-no">未同意', consent)
    assert "✕" not in consent and "×" not in consent


def test_contact_hours_read_one_wording_when_unset(bank, web_for):
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        contact_time_from=None,
        contact_time_to=None,
    )
    web = web_for(bank.rm)
    detail = web.get(reverse("clients:detail", args=[client.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = detail.content.decode()
    assert text.count("未设置（任何时间均可）") == 2  # profile card and the interactions section
    assert "任何时间</dd>" not in text and "未设置</" not in text


def test_contact_hours_show_the_window_when_set(bank, web_for):
    client = ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        contact_time_from=time(9),
        contact_time_to=time(18),
    )
    text = web_for(bank.rm).get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert text.count("09:00–18:00") == 2
