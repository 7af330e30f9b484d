import io

from django.core.management import call_command

from clients.models import Client, Holding, Product, Transaction
from tenancy.context import tenant_scope
from tenancy.models import Tenant, User


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
