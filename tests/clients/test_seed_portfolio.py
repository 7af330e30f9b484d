import io
import random
import re

from django.core.management import call_command
from django.db.models import F

from clients.demo import _plan_clients
from clients.models import (
    Client,
    GroupMembership,
    Holding,
    Product,
    RelationshipGroup,
    Transaction,
)
from tenancy.context import tenant_scope
from tenancy.models import Branch, Tenant, User


def test_seed_demo_builds_portfolios_and_gives_demo_rm_a_few_dozen_clients(db):
    call_command(
        "seed_demo", "--clients", "150", "--interactions", "0", "--seed", "7", stdout=io.StringIO()
    )
    tenant = Tenant.objects.get(slug="demo")
    demo_rm = User.objects.get(username="demo_rm")
    with tenant_scope(tenant):
        assert Client.objects.count() == 150
        assert 24 <= Client.objects.filter(dedicated_manager=demo_rm).count() <= 60
        assert (
            Product.objects.filter(is_esg=True).exists()
            and Product.objects.filter(vip_only=True).exists()
        )
        assert Holding.objects.count() >= 150
        assert Transaction.objects.count() == 1500
        assert Client.objects.filter(aum__gt=0).count() == 150
        assert Client.objects.exclude(tier="standard").exists()
        names = list(Client.objects.order_by("external_id").values_list("name", flat=True)[:20])
    assert any(ord(ch) > 0x4E00 for name in names for ch in name)  # Chinese names present


LATIN = re.compile(r"[A-Za-z]")
# acronyms Chinese product names carry as they are (ESG funds, QDII funds)
ACRONYMS = re.compile(r"ESG|QDII")


def _seed_small(seed=11):
    call_command(
        "seed_demo",
        "--clients",
        "400",
        "--interactions",
        "0",
        "--seed",
        str(seed),
        stdout=io.StringIO(),
    )
    return Tenant.objects.get(slug="demo")


def test_seeded_records_are_in_one_language(db):
    tenant = _seed_small()
    with tenant_scope(tenant):
        names = list(Client.objects.values_list("name", flat=True))
        products = list(Product.objects.values_list("name", flat=True))
        branches = list(Branch.objects.values_list("name", flat=True))
        groups = list(RelationshipGroup.objects.values_list("name", flat=True))
    assert not [n for n in names + branches + groups if LATIN.search(n)]
    assert not [n for n in products if LATIN.search(ACRONYMS.sub("", n))]
    assert not LATIN.search(tenant.name)


def test_vip_only_products_are_held_only_by_platinum_and_gold_clients(db):
    tenant = _seed_small()
    with tenant_scope(tenant):
        vip = Holding.objects.filter(product__vip_only=True)
        assert vip.exists()  # the demo shows some
        assert set(vip.values_list("client__tier", flat=True)) <= {"platinum", "gold"}
        below_minimum = Holding.objects.filter(balance__lt=F("product__min_investment"))
        assert not below_minimum.exists()
        loans = Holding.objects.filter(kind="loan").values_list("client__kind", "product__code")
        assert set(loans) <= {("individual", "LN-MORT"), ("corporate", "LN-BIZ")}


def test_households_and_corporate_groups_are_seeded_with_members(db):
    tenant = _seed_small()
    demo_rm = User.objects.get(username="demo_rm")
    with tenant_scope(tenant):
        households = RelationshipGroup.objects.filter(kind="household")
        corporate = RelationshipGroup.objects.filter(kind="corporate_group")
        assert households.count() >= 3 and corporate.count() >= 1
        for group in list(households) + list(corporate):
            members = list(group.memberships.select_related("client"))
            assert len(members) >= 2
            assert len({m.client.dedicated_manager_id for m in members}) == 1  # one RM serves them
            roles = {m.role for m in members}
            if group.kind == "household":
                assert "head_of_household" in roles and roles <= GroupMembership.HOUSEHOLD_ROLES
                head = next(m.client for m in members if m.role == "head_of_household")
                assert group.name == f"{head.name}家庭"
                for m in members:
                    assert m.client.kind == "individual"
                    if m.role in ("child", "parent"):
                        assert m.client.name[0] == head.name[0]  # the head's surname
            else:
                assert "parent_company" in roles and roles <= GroupMembership.CORPORATE_ROLES
        # one client, at most one household (what the group service enforces)
        in_households = GroupMembership.objects.filter(group__kind="household")
        assert in_households.count() == in_households.values("client").distinct().count()
        mine = RelationshipGroup.objects.filter(memberships__client__dedicated_manager=demo_rm)
        assert set(mine.values_list("kind", flat=True)) == {"household", "corporate_group"}


def test_client_plan_is_deterministic_for_its_seed():
    def plan(seed):
        clients, groups = _plan_clients(random.Random(seed), 500, lambda index: ("rm", None))
        return [(c.kind, c.name, c.birth, c.group, c.role) for c in clients], [
            (g.name, g.kind, g.members) for g in groups
        ]

    assert plan(3) == plan(3)
    assert plan(3) != plan(4)
    clients, groups = plan(3)
    assert len(clients) == 500 and groups[0][1] == "household" and groups[1][1] == "corporate_group"


def test_household_members_are_born_in_plausible_generations():
    clients, groups = _plan_clients(random.Random(8), 3000, lambda index: ("rm", None))
    checked = 0
    for group in groups:
        if group.kind != "household":
            continue
        members = [clients[i] for i in group.members]
        head = next(m for m in members if m.role == "head_of_household")
        for m in members:
            years = (m.birth - head.birth).days / 365
            if m.role == "child":
                assert 18 <= years <= 35 and m.birth.year <= 2006
            elif m.role == "parent":
                assert -35 <= years <= -23
            checked += 1
    assert checked > 50


def test_seeded_aum_and_exposure_are_what_the_holdings_say(db):
    """The seeder writes AUM and exposure with each client (no recomputation over
    fresh tables): the service's recomputation finds nothing to change."""
    from clients.services.portfolio import client_totals_recompute

    tenant = _seed_small(seed=9)
    with tenant_scope(tenant):
        before = dict(Client.objects.values_list("pk", "aum"))
        exposure = dict(Client.objects.values_list("pk", "exposure"))
        client_totals_recompute()
        assert dict(Client.objects.values_list("pk", "aum")) == before
        assert dict(Client.objects.values_list("pk", "exposure")) == exposure
        assert Client.objects.filter(exposure__gt=0).exists()
