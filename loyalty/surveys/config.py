"""The tenant's survey settings: the stored row, or the defaults while none exists."""

from __future__ import annotations

from tenancy.context import scope_memo

from ..models import SurveySettings

MEMO_KEY = "loyalty.survey_settings"


def survey_settings() -> SurveySettings:
    """The tenant in scope's settings (an unsaved row with the defaults while
    none is stored); memoised for the scope."""
    memo = scope_memo()
    obj = memo.get(MEMO_KEY)
    if obj is None:
        obj = SurveySettings.objects.first() or SurveySettings()
        memo[MEMO_KEY] = obj
    return obj


def forget_survey_settings() -> None:
    scope_memo().pop(MEMO_KEY, None)
