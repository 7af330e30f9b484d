"""Loyalty and client care (issue 10): one module per part, re-exported here.

- ``surveys``: survey templates, invitations (single-use links), responses,
  dispatch ledger, service recovery.
- ``points``: the append-only points ledger, rewards and redemptions.
- ``events``: client-care events, invitations (RSVP links, waitlist), their outbox.
"""

from .events import Event, EventInvitation, EventKind, EventMessage  # noqa: F401
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
