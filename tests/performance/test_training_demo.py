"""The demo's training records and certification requirements (seeder 91)."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from performance.demo_training import seed_trainings
from performance.models import CertificationRequirement, Training
from tenancy.demo import SeedContext
from tenancy.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_rm_is_certified_and_a_colleagues_certification_has_expired(bank):
    demo_rm = UserFactory(username="demo_rm", tenant=bank.tenant, role="rm", branch=bank.branch)
    ctx = SeedContext(
        tenant=bank.tenant,
        seed=7,
        clients=0,
        interactions=0,
        rng=random.Random(7),
        branches=[bank.head_office, bank.region, bank.branch, bank.sibling_branch],
        staff={
            Role.RM: [bank.rm, demo_rm, bank.other_rm],
            Role.BRANCH_HEAD: [bank.branch_head],
        },
    )
    with bank.scope():
        seed_trainings(ctx)
        today = timezone.localdate()
        assert (
            dict(CertificationRequirement.objects.values_list("category", "certification"))["fund"]
            == "fund"
        )
        mine = Training.objects.filter(user=demo_rm, certification="fund").get()
        assert mine.expires_on > today
        expired = Training.objects.filter(user=bank.rm, certification="fund").get()
        assert expired.expires_on < today
        assert Training.objects.filter(user=bank.other_rm, certification="fund").exists()
