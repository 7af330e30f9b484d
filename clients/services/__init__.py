"""Writes with rules for clients (HackSoft services), split by concern:
core (profile, contact persons, life events, reveal), coverage (managers,
team), reassignment (bulk reassignment), groups (households and corporate groups)."""

from .core import (
    PII_FIELDS,
    PROFILE_FIELDS,
    client_contacted,
    client_create,
    client_reveal,
    client_update,
    clients_lock,
    contact_person_create,
    contact_person_delete,
    contact_person_update,
    life_event_create,
    life_event_delete,
    national_id_problem,
    phone_key,
    pii_indexes,
)
from .coverage import (
    client_assign_manager,
    coverage_team_add,
    coverage_team_remove,
    require_can_assign,
    validate_manager,
)
from .groups import (
    group_member_add,
    group_member_remove,
    relationship_group_create,
    relationship_group_update,
)
from .reassignment import (
    BulkPlan,
    StalePlan,
    bulk_reassign_confirm,
    bulk_reassign_plan,
    summarize,
)

__all__ = [
    "PII_FIELDS",
    "PROFILE_FIELDS",
    "BulkPlan",
    "StalePlan",
    "bulk_reassign_confirm",
    "bulk_reassign_plan",
    "client_assign_manager",
    "client_contacted",
    "clients_lock",
    "client_create",
    "client_reveal",
    "client_update",
    "contact_person_create",
    "contact_person_delete",
    "contact_person_update",
    "coverage_team_add",
    "coverage_team_remove",
    "group_member_add",
    "group_member_remove",
    "life_event_create",
    "life_event_delete",
    "national_id_problem",
    "phone_key",
    "pii_indexes",
    "relationship_group_create",
    "require_can_assign",
    "relationship_group_update",
    "summarize",
    "validate_manager",
]
