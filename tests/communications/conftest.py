from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ClientFactory


@pytest.fixture
def key_client(bank):
    """A platinum client of bank.rm (dedicated) with contact hours and phone consent only."""
    return ClientFactory(
        tenant=bank.tenant,
        branch=bank.branch,
        dedicated_manager=bank.rm,
        tier="platinum",
        contact_time_from=dt.time(9, 0),
        contact_time_to=dt.time(18, 0),
        marketing_consent={"phone": True},
        preferred_channel="phone",
    )
