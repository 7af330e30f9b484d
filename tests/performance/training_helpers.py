"""Builders for the training and certification tests, inside a bank's scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from performance.models import CertificationRequirement, Training


def today() -> date:
    return timezone.localdate()


def days(n: int) -> date:
    return today() + timedelta(days=n)


def require(bank, category="fund", certification="fund"):
    with bank.scope():
        return CertificationRequirement.objects.create(
            category=category, certification=certification
        )


def trained(bank, user, *, certification="", expires_on=None, course="Course", hours="8"):
    with bank.scope():
        return Training.objects.create(
            user=user,
            course=course,
            hours=Decimal(hours),
            completed_on=today() - timedelta(days=100),
            certification=certification,
            expires_on=expires_on,
        )
