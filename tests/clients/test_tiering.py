from decimal import Decimal

from clients.models import Client, TierThreshold
from clients.services.portfolio import client_totals_recompute, tier_threshold_update
from clients.services.tiering import tier_thresholds, tiering_recompute
from clients.tasks import tiering_nightly
from tenancy.models import AuditEvent
from tests.factories import ClientFactory

from .portfolio_helpers import make_holding, make_transactions


def _client(bank, balance, *, tx=0, rating=""):
    client = ClientFactory(
        tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm, credit_rating=rating
    )
    make_holding(client, balance=balance)
    if tx:
        make_transactions(client, tx)
    with bank.scope():
        client_totals_recompute(client_ids=[client.pk])
    return client


def _tier(bank, client):
    with bank.scope():
        return Client.objects.values_list("tier", flat=True).get(pk=client.pk)


def test_default_thresholds_are_created_when_missing(bank):
    with bank.scope():
        rows = tier_thresholds()
        assert set(rows) == {"platinum", "gold", "silver"}
        assert TierThreshold.objects.count() == 3


def test_client_gets_the_highest_tier_whose_every_condition_holds(bank):
    gold = _client(bank, "2000000", tx=6)
    not_enough_tx = _client(bank, "2000000", tx=5)
    platinum = _client(bank, "7000000", tx=12, rating="A")
    small = _client(bank, "1000")
    with bank.scope():
        tiering_recompute()
    assert _tier(bank, gold) == "gold"
    assert _tier(bank, not_enough_tx) == "silver"
    assert _tier(bank, platinum) == "platinum"
    assert _tier(bank, small) == "standard"


def test_rating_below_the_minimum_excludes_but_unrated_does_not(bank):
    poor = _client(bank, "7000000", tx=12, rating="B")
    unrated = _client(bank, "7000000", tx=12)
    with bank.scope():
        tiering_recompute()
    assert _tier(bank, poor) == "silver"  # platinum needs BBB, gold BB; silver has no rating floor
    assert _tier(bank, unrated) == "platinum"


def test_transactions_older_than_12_months_do_not_count(bank):
    client = _client(bank, "2000000")
    make_transactions(client, 10, days_ago=400)
    with bank.scope():
        tiering_recompute()
    assert _tier(bank, client) == "silver"


def test_threshold_change_recomputes_tiers_and_audits_one_aggregate_event(bank):
    clients = [_client(bank, "500000") for _ in range(5)]
    with bank.scope():
        tiering_recompute()
        before = AuditEvent.objects.count()
        silver = tier_thresholds()["silver"]
        tier_threshold_update(
            actor=bank.admin, threshold=silver, min_aum=Decimal("600000"), min_transactions_12m=0
        )
        events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in events] == [
        "clients.tier_threshold_updated",
        "clients.tiering_recomputed",
    ]
    assert events[1].data["changed"] == 5 and events[1].data["transitions"] == {
        "silver->standard": 5
    }
    assert {_tier(bank, c) for c in clients} == {"standard"}


def test_threshold_for_a_higher_tier_cannot_ask_less_aum_than_a_lower_one(bank):
    import pytest
    from django.core.exceptions import ValidationError

    with bank.scope():
        gold = tier_thresholds()["gold"]
        with pytest.raises(ValidationError) as exc:
            tier_threshold_update(
                actor=bank.admin, threshold=gold, min_aum=Decimal("100"), min_transactions_12m=0
            )
    assert "min_aum" in exc.value.message_dict


def test_recompute_without_changes_writes_no_audit_event(bank):
    _client(bank, "500000")
    with bank.scope():
        tiering_recompute()
        before = AuditEvent.objects.count()
        result = tiering_recompute()
        assert AuditEvent.objects.count() == before
    assert result.changed == 0 and result.clients == 1


def test_nightly_task_fans_out_per_tenant_and_records_one_event_each(bank, other_bank):
    _client(bank, "500000")
    _client(other_bank, "2000")
    assert tiering_nightly() >= 2
    with bank.scope():
        events = list(
            AuditEvent.objects.filter(action="clients.tiering_recomputed").values_list(
                "data", flat=True
            )
        )
    assert len(events) == 1 and events[0]["reason"] == "nightly" and events[0]["changed"] == 1


def _queries_to_retier(bank, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(n):
        _client(bank, "400000", tx=1)
    with bank.scope():
        Client.objects.update(tier="standard")
        tier_thresholds()
        with CaptureQueriesContext(connection) as ctx:
            result = tiering_recompute()
    return len(ctx), result.changed


def test_tiering_query_count_does_not_grow_with_clients(bank):
    small, changed_small = _queries_to_retier(bank, 3)
    large, changed_large = _queries_to_retier(bank, 40)
    assert (changed_small, changed_large) == (3, 43)
    assert small == large <= 12


def test_tier_for_gives_the_recomputations_tier(bank):
    """seed_demo writes each client with its tier already set (``tier_for``,
    the recomputation's rules in Python): for every edge the two must agree,
    else the demo's clients would carry tiers the nightly job later changes."""
    from clients.services.tiering import tier_for

    cases = [
        ("7000000", 12, "A"),
        ("7000000", 12, "B"),
        ("7000000", 12, ""),
        ("7000000", 11, "AAA"),
        ("2000000", 6, "BB"),
        ("2000000", 6, "CCC"),
        ("2000000", 5, ""),
        ("1000", 0, ""),
        ("0", 40, "AAA"),
    ]
    clients = [(_client(bank, bal, tx=tx, rating=r), bal, tx, r) for bal, tx, r in cases]
    with bank.scope():
        tiering_recompute()
        thresholds = tier_thresholds()
        for client, _bal, tx, rating in clients:
            aum = Client.objects.values_list("aum", flat=True).get(pk=client.pk)
            expected = tier_for(
                aum=aum, transactions_12m=tx, credit_rating=rating, thresholds=thresholds
            )
            assert _tier(bank, client) == expected, (aum, tx, rating)
