"""Reads, always from the access policy (clients.access): a user sees the
surveys, answers and follow-ups of the clients they see, nothing else."""

from __future__ import annotations

from django.db.models import QuerySet

from clients.access import client_rows
from tenancy.shortcuts import get_or_404

from ..models import ServiceRecovery, Survey, SurveyInvitation, SurveyResponse


def survey_list(*, user) -> QuerySet[Survey]:
    """The tenant's templates (every member of staff may read them)."""
    return Survey.objects.order_by("-active", "kind", "name", "pk")


def survey_get(*, user, survey_id) -> Survey:
    return get_or_404(survey_list(user=user), survey_id)


def invitation_list(*, user, client=None) -> QuerySet[SurveyInvitation]:
    return client_rows(
        SurveyInvitation.objects.select_related("client", "survey"), user=user, client=client
    ).order_by("-sent_at", "-pk")


def response_list(*, user, client=None) -> QuerySet[SurveyResponse]:
    return client_rows(
        SurveyResponse.objects.select_related("client"), user=user, client=client
    ).order_by("-answered_at", "-pk")


def recovery_list(*, user, client=None) -> QuerySet[ServiceRecovery]:
    return client_rows(
        ServiceRecovery.objects.select_related("client", "manager", "response"),
        user=user,
        client=client,
    )


def recovery_get(*, user, recovery_id) -> ServiceRecovery:
    qs = recovery_list(user=user).select_related("client__branch", "closed_by", "invitation__event")
    return get_or_404(qs, recovery_id)


def open_recoveries(*, user, client=None) -> QuerySet[ServiceRecovery]:
    return recovery_list(user=user, client=client).filter(status=ServiceRecovery.Status.OPEN)
