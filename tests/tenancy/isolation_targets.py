"""Foreign-object ids for the URL walk (tests/isolation)."""

TARGETS = {
    "tenancy:staff_edit": lambda bank: {"staff_id": bank.rm.pk},
    "branch-detail": lambda bank: {"pk": bank.branch.pk},
    "user-detail": lambda bank: {"pk": bank.rm.pk},
}
TARGETS.update(
    {
        "tenancy:staff_revoke_tokens": lambda bank: {"staff_id": bank.rm.pk},
        "tenancy:staff_reset_two_factor": lambda bank: {"staff_id": bank.rm.pk},
    }
)
