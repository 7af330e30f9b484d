"""Every communications URL with an id answers 404 to another bank's staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.communications.isolation_targets import TARGETS

POST_ONLY = {
    "communications:followup_status",
    "communications:followup_snooze",
    "communications:interaction_amend",
    "communications:notification_read",
    "notification-read",
}


@pytest.mark.parametrize("url_name", sorted(TARGETS))
@pytest.mark.parametrize("role", ["admin", "rm"])
def test_another_tenants_ids_are_404(bank, other_bank, web_for, url_name, role):
    with other_bank.scope():
        kwargs = TARGETS[url_name](other_bank)
    url = reverse(url_name, kwargs=kwargs)
    web = web_for(getattr(bank, role))
    response = web.post(url) if url_name in POST_ONLY else web.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("url_name", sorted(n for n in TARGETS if "notification" not in n))
def test_own_ids_do_not_answer_404_for_the_rm(bank, web_for, url_name):
    with bank.scope():
        kwargs = TARGETS[url_name](bank)
    response = web_for(bank.rm).get(reverse(url_name, kwargs=kwargs))
    assert response.status_code in (200, 405)
