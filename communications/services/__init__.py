"""Writes with rules for communications: interactions (call reports,
amendments, follow-ups, notifications, settings, calendar tokens) and reminders
(due reminders, overdue digest, revisit cadence — the work the periodic tasks call)."""

from .interactions import (
    EDITABLE_FIELDS,
    FUTURE_TOLERANCE,
    calendar_token_rotate,
    comm_settings_update,
    followup_create,
    followup_set_status,
    followup_snooze,
    followup_update,
    interaction_amend,
    interaction_can_amend,
    interaction_log,
    interaction_update,
    notification_mark_read,
)

__all__ = [
    "EDITABLE_FIELDS",
    "FUTURE_TOLERANCE",
    "calendar_token_rotate",
    "comm_settings_update",
    "followup_create",
    "followup_set_status",
    "followup_snooze",
    "followup_update",
    "interaction_amend",
    "interaction_can_amend",
    "interaction_log",
    "interaction_update",
    "notification_mark_read",
]
