"""seed_demo's KPI history: 12 months computed by the snapshot code, older
months closed, a synthesized AUM history and lost key clients."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command

from clients.models import Client
from performance import periods
from performance.demo import seed_performance
from performance.models import KeyClientBase, KpiPeriodClose, KpiSnapshot
from tenancy.demo import SeedContext
from tenancy.models import Role

from .helpers import answered, make_client

pytestmark = pytest.mark.django_db


def _ctx(bank):
    return SeedContext(
        tenant=bank.tenant,
        seed=7,
        clients=4,
        interactions=0,
        rng=random.Random(7),
        branches=[bank.head_office, bank.region, bank.branch, bank.sibling_branch],
        staff={Role.ADMIN: [bank.admin], Role.RM: [bank.rm, bank.other_rm]},
    )


def test_twelve_months_of_snapshots_older_ones_closed(bank):
    clients = [make_client(bank) for _ in range(3)]
    answered(bank, clients[0], 10)
    gone = make_client(bank)
    with bank.scope():
        Client.objects.filter(pk=gone.pk).update(lifecycle="closed")
        Client.objects.update(aum=1000000)
        seed_performance(_ctx(bank))
        current = periods.current_period()
        months = sorted(set(KpiSnapshot.objects.values_list("period", flat=True)))
        assert months == periods.last_periods(current, 12)
        closed = set(KpiPeriodClose.objects.values_list("period", flat=True))
        assert closed == set(months[:-2])
        # the closed client was lost in one past month
        assert KeyClientBase.objects.filter(client=gone).count() == 1
        lost_month = KeyClientBase.objects.get(client=gone).period
        rm = KpiSnapshot.objects.get(period=lost_month, scope="rm", subject_id=bank.rm.pk)
        assert rm.measures["key_clients_lost"] == 1
        # AUM growth from the synthesized daily history
        tenant_row = KpiSnapshot.objects.get(period=months[-2], scope="tenant")
        assert tenant_row.measures["aum_growth_pct"] is not None
    # the nightly command afterwards leaves the closed months as they are
    call_command("kpi_snapshot", "--tenant", bank.tenant.slug, "--period", months[0])
    with bank.scope():
        assert KpiSnapshot.objects.filter(period=months[0], version=1).count() == 7


def test_demo_improvement_actions_last_month_done_this_month_open(bank):
    from performance.models import ImprovementAction
    from tests.communications.factories import make_followup

    client = make_client(bank)
    follow_ups = [make_followup(client, bank.rm) for _ in range(3)]
    ctx = _ctx(bank)
    ctx.staff[Role.BRANCH_HEAD] = [bank.branch_head]
    with bank.scope():
        seed_performance(ctx)
        current = periods.current_period()
        actions = list(ImprovementAction.objects.order_by("period"))
        assert [(a.rm_id, a.set_by_id, a.period, a.status) for a in actions] == [
            (bank.rm.pk, bank.branch_head.pk, periods.shift(current, -1), "done"),
            (bank.rm.pk, bank.branch_head.pk, current, "open"),
        ]
        linked = sorted(link.follow_up_id for link in actions[1].links.all())
        assert linked == sorted(f.pk for f in follow_ups[:2])
