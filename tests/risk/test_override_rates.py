"""The override-rate table (risk/override_rates.py): counts and rates on known
data, how the overridden clients fared since, visibility, the page, the desk
panel and the API, and flat query counts."""

from __future__ import annotations

from risk.override_rates import override_rates

from .helpers import make_assessment, make_client


def _override(bank, client, rating, **kw):
    return make_assessment(
        bank, client, status="approved", rating_override=rating, override_reason="known", **kw
    )


def test_one_override_among_three_approvals_is_33_3_percent(bank):
    for _ in range(2):
        make_assessment(bank, make_client(bank), status="approved")
    _override(bank, make_client(bank), "AAA")  # scale says A (composite 20): better
    with bank.scope():
        [row] = override_rates(user=bank.risk_officer)
    assert (row.approved, row.overridden, row.better, row.worse) == (3, 1, 1, 0)
    assert str(row.rate) == "33.3"
