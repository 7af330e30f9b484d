"""Fixtures for the clients tests: clients in each coverage situation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from guardian.shortcuts import assign_perm

from tests.factories import ClientFactory, UserFactory

VALID_ID = "11010519491231002X"  # a well-formed resident id number (check digit X)


@dataclass
class Book:
    dedicated: object  # bank.rm is dedicated manager (Pudong)
    backup: object  # bank.rm is backup manager (Pudong, other_rm dedicated)
    shared: object  # shared with bank.rm through guardian (Jing'an)
    branch_other: object  # Pudong, other_rm only
    sibling: object  # Jing'an, other_rm only
    head_office: object  # head office, nobody's of ours
    foreign: object  # the other bank's client


@pytest.fixture
def book(bank, other_bank) -> Book:
    def make(branch, **kw):
        return ClientFactory(tenant=bank.tenant, branch=branch, **kw)

    with bank.scope():
        dedicated = make(bank.branch, dedicated_manager=bank.rm, name="Dedicated Ltd")
        backup = make(
            bank.branch, dedicated_manager=bank.other_rm, backup_manager=bank.rm, name="Backup Ltd"
        )
        shared = make(bank.sibling_branch, dedicated_manager=bank.other_rm, name="Shared Ltd")
        assign_perm("view_client", bank.rm, shared)
        branch_other = make(bank.branch, dedicated_manager=bank.other_rm, name="Pudong Other")
        sibling = make(bank.sibling_branch, dedicated_manager=bank.other_rm, name="Jingan Other")
        head = make(bank.head_office, name="Head Office Client")
    foreign = ClientFactory(
        tenant=other_bank.tenant,
        branch=other_bank.branch,
        dedicated_manager=other_bank.rm,
        name="Foreign Co",
    )
    return Book(dedicated, backup, shared, branch_other, sibling, head, foreign)


@pytest.fixture
def sibling_rm(bank):
    return UserFactory(
        username="a_rm_jingan", tenant=bank.tenant, role="rm", branch=bank.sibling_branch
    )
