"""Foreign-object ids for the URL walk (tests/isolation)."""

TARGETS = {
    "tenancy:staff_edit": lambda bank: {"staff_id": bank.rm.pk},
    "branch-detail": lambda bank: {"pk": bank.branch.pk},
    "user-detail": lambda bank: {"pk": bank.rm.pk},
}
