"""seed_demo's surveys: templates, invitations, answers with a realistic NPS
and detractors' recoveries, set-based (the query count does not grow with
the clients)."""

from __future__ import annotations

import random
from datetime import UTC

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from loyalty.models import ServiceRecovery, Survey, SurveyInvitation, SurveyResponse
from loyalty.surveys import analytics
from loyalty.surveys.demo import seed_surveys
from tenancy.demo import SeedContext
from tenancy.models import Role
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _clients(bank, n, start=0):
    with bank.scope():
        Client.objects.bulk_create(
            [
                ClientFactory.build(
                    tenant=bank.tenant,
                    branch=bank.branch,
                    dedicated_manager=bank.rm,
                    external_id=f"DEMO{start + i:06d}",
                )
                for i in range(n)
            ]
        )


def _seed(bank):
    ctx = SeedContext(
        tenant=bank.tenant,
        seed=7,
        clients=0,
        interactions=0,
        rng=random.Random(7),
        branches=[bank.branch],
        staff={Role.RM: [bank.rm]},
    )
    with bank.scope(), CaptureQueriesContext(connection) as q:
        seed_surveys(ctx)
    return len(q.captured_queries)


def test_the_demo_has_templates_answers_a_realistic_nps_and_recoveries(bank):
    _clients(bank, 800)
    _seed(bank)
    with bank.scope():
        assert Survey.objects.filter(kind="nps", active=True).exists()
        assert Survey.objects.filter(kind="csat").exists()
        invited = SurveyInvitation.objects.count()
        answers = SurveyResponse.objects.all()
        nps = analytics.breakdown(answers.order_by(), UTC, {}).overall.nps
        detractors = answers.filter(category="detractor").count()
        assert ServiceRecovery.objects.count() == detractors > 0
        assert answers.exclude(comment="").exists()
    assert 150 < invited < 350
    assert 30 <= nps <= 50, nps


def test_the_demo_seeding_is_set_based(bank, other_bank):
    _clients(bank, 50)
    _clients(other_bank, 500, start=1000)
    assert _seed(other_bank) == _seed(bank)
