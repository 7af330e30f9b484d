import pytest

from tests.factories import ClientFactory

from .portfolio_helpers import make_holding, make_product, make_transactions


@pytest.fixture
def books(bank, other_bank):
    mine = ClientFactory(tenant=bank.tenant, branch=bank.branch, dedicated_manager=bank.rm)
    hidden = ClientFactory(
        tenant=bank.tenant, branch=bank.sibling_branch, dedicated_manager=bank.other_rm
    )
    foreign = ClientFactory(
        tenant=other_bank.tenant, branch=other_bank.branch, dedicated_manager=other_bank.rm
    )
    for c in (mine, hidden, foreign):
        make_holding(c, balance="10")
        make_transactions(c, 2)
    return mine, hidden, foreign


def test_rm_lists_holdings_of_visible_clients_only(bank, books, api_for):
    mine, _hidden, _foreign = books
    data = api_for(bank.rm).get("/api/v1/holdings/").json()
    assert {h["client"] for h in data["results"]} == {mine.pk}


def test_holding_of_invisible_or_foreign_client_is_404(bank, books, api_for):
    _mine, hidden, foreign = books
    api = api_for(bank.rm)
    with bank.scope():
        hidden_holding = hidden.holdings.get().pk
    from tenancy.context import tenant_scope

    with tenant_scope(foreign.tenant_id):
        foreign_holding = foreign.holdings.get().pk
    assert api.get(f"/api/v1/holdings/{hidden_holding}/").status_code == 404
    assert api.get(f"/api/v1/holdings/{foreign_holding}/").status_code == 404


def test_transactions_filter_by_client_and_dates(bank, books, api_for):
    mine, hidden, _foreign = books
    make_transactions(mine, 3, days_ago=100)
    api = api_for(bank.admin)
    assert api.get(f"/api/v1/transactions/?client={mine.pk}").json()["count"] == 5
    from datetime import date, timedelta

    since = (date.today() - timedelta(days=30)).isoformat()
    assert api.get(f"/api/v1/transactions/?client={mine.pk}&date_from={since}").json()["count"] == 2
    until = (date.today() - timedelta(days=50)).isoformat()
    assert api.get(f"/api/v1/transactions/?client={mine.pk}&date_to={until}").json()["count"] == 3
    assert api_for(bank.rm).get(f"/api/v1/transactions/?client={hidden.pk}").json()["count"] == 0


def test_products_are_read_by_staff_and_written_by_admins(bank, other_bank, api_for):
    make_product(other_bank.tenant, code="FOREIGN")
    body = {
        "code": "FD9",
        "name": "Fund 9",
        "category": "fund",
        "risk_level": 3,
        "min_investment": "1000.00",
    }
    assert api_for(bank.rm).post("/api/v1/products/", body).status_code == 403
    created = api_for(bank.admin).post("/api/v1/products/", body)
    assert created.status_code == 201, created.content
    assert api_for(bank.admin).post("/api/v1/products/", body).status_code == 400
    listed = api_for(bank.rm).get("/api/v1/products/").json()["results"]
    assert [p["code"] for p in listed] == ["FD9"]
    pk = created.json()["id"]
    patched = api_for(bank.admin).patch(f"/api/v1/products/{pk}/", {"risk_level": 6})
    assert patched.status_code == 400 and "risk_level" in patched.json()


def test_foreign_product_is_404(bank, other_bank, api_for):
    product = make_product(other_bank.tenant)
    assert api_for(bank.admin).get(f"/api/v1/products/{product.pk}/").status_code == 404


def test_import_jobs_are_hidden_from_rms(bank, api_for):
    from clients.models import ImportJob

    with bank.scope():
        job = ImportJob.objects.create(
            tenant=bank.tenant, kind="clients", file_name="x.csv", created_by=bank.admin
        )
    assert api_for(bank.rm).get(f"/api/v1/imports/{job.pk}/").status_code == 404
    assert api_for(bank.compliance).get(f"/api/v1/imports/{job.pk}/").status_code == 200


def _queries(api, url, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget):
        response = api.get(url)
    assert response.status_code == 200
    return response.json()["count"]


@pytest.mark.parametrize("n", [10, 120])
def test_list_endpoints_have_a_fixed_query_budget(bank, api_for, django_assert_max_num_queries, n):
    from clients.models import Client, Holding
    from tenancy.context import tenant_scope

    product = make_product(bank.tenant)
    with tenant_scope(bank.tenant):
        clients = Client.objects.bulk_create(
            [
                Client(
                    tenant=bank.tenant,
                    name=f"C{i}",
                    external_id=f"Q{i}",
                    branch=bank.branch,
                    dedicated_manager=bank.rm,
                )
                for i in range(n)
            ]
        )
        Holding.objects.bulk_create(
            [
                Holding(
                    tenant=bank.tenant,
                    client=c,
                    product=product,
                    kind="fund",
                    account_number=f"A{c.pk}",
                    balance=1,
                )
                for c in clients
            ]
        )
    for c in clients[:5]:
        make_transactions(c, n // 5)
    api = api_for(bank.rm)
    assert _queries(api, "/api/v1/holdings/", django_assert_max_num_queries, 8) == n
    assert _queries(api, "/api/v1/transactions/", django_assert_max_num_queries, 8) == 5 * (n // 5)
    assert _queries(api, "/api/v1/products/", django_assert_max_num_queries, 8) == 1
