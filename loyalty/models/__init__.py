"""Loyalty and client care (issue 10): one module per part, re-exported here.

- ``surveys``: survey templates, invitations (single-use links), responses,
  dispatch ledger, service recovery.
- ``points``: the append-only points ledger, rewards and redemptions.
"""

from .points import (  # noqa: F401
    AppendOnlyError,
    EntryKind,
    PointsAccount,
    PointsAdjustmentRequest,
    PointsEntry,
    PointsSettings,
    Redemption,
    Reward,
)
from .surveys import (  # noqa: F401
    ServiceRecovery,
    Survey,
    SurveyChannel,
    SurveyInvitation,
    SurveyKind,
    SurveyMessage,
    SurveyResponse,
    SurveySettings,
)
