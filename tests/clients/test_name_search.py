"""Name search through the grams table (clients/models/search.py): the same
results as ``UPPER(name) LIKE``, kept by PostgreSQL triggers on every write
path, and answerable from an index under row-level security."""

from __future__ import annotations

import pytest
from django.db import connection

from clients.models import Client, ClientNameGram
from clients.selectors import client_list
from tests.factories import ClientFactory

from ..conftest import postgres_only

pytestmark = [pytest.mark.django_db, postgres_only()]

NAMES = [
    "王伟",
    "王小明",
    "上海王氏科技有限公司",
    "北京科技有限公司",
    "科技与有限",  # 科技 and 有限, but not 科技有限
    "Smith & Sons",
    "ABXBC Holdings",  # AB and BC, but not ABC
    "Anna Smithers",
    "李娜",
]


@pytest.fixture
def named(bank):
    return {n: ClientFactory(branch=bank.branch, name=n, dedicated_manager=bank.rm) for n in NAMES}


def _found(bank, term, user=None):
    with bank.scope():
        return set(client_list(user=user or bank.admin, search=term).values_list("name", flat=True))


@pytest.mark.parametrize(
    "term",
    ["王", "王伟", "科技有限", "科技", "smith", "SMITH", "abc", "ab", "s", "氏科", "x", "娜", "无"],
)
def test_search_finds_exactly_the_names_containing_the_term(bank, named, term):
    expected = {n for n in NAMES if term.upper() in n.upper()}
    assert _found(bank, term) == expected


def test_pieces_that_are_not_neighbours_do_not_match(bank, named):
    assert _found(bank, "科技有限") == {"上海王氏科技有限公司", "北京科技有限公司"}
    assert _found(bank, "ABC") == set()


def test_exact_identifiers_still_match_alongside_names(bank, named):
    client = named["李娜"]
    assert _found(bank, client.external_id) == {"李娜"}


def test_grams_follow_inserts_bulk_inserts_renames_and_deletes(bank):
    with bank.scope():
        Client.objects.bulk_create(
            [
                Client(
                    tenant=bank.tenant, branch=bank.branch, name=f"批量{i}号", external_id=f"B{i}"
                )
                for i in range(3)
            ]
        )
    assert _found(bank, "批量") == {"批量0号", "批量1号", "批量2号"}
    client = ClientFactory(branch=bank.branch, name="旧名字")
    with bank.scope():
        Client.objects.filter(pk=client.pk).update(name="新名称")
        assert _found(bank, "旧名") == set() and _found(bank, "新名") == {"新名称"}
        assert set(ClientNameGram.objects.filter(client=client).values_list("gram", flat=True)) == {
            "新",
            "名",
            "称",
            "新名",
            "名称",
        }
        client.delete()
        assert not ClientNameGram.objects.filter(client_id=client.pk).exists()


def test_an_rm_finds_only_their_clients(bank, named):
    ClientFactory(branch=bank.branch, name="王别人", dedicated_manager=bank.other_rm)
    assert "王别人" not in _found(bank, "王", user=bank.rm)
    assert "王别人" in _found(bank, "王")


def test_another_tenants_grams_are_invisible(bank, other_bank, named):
    ClientFactory(branch=other_bank.branch, name="王外行")
    assert "王外行" not in _found(bank, "王")
    with bank.scope():
        assert not ClientNameGram.objects.filter(client__name="王外行").exists()
        with connection.cursor() as cursor:  # row-level security, not only the manager
            cursor.execute("SELECT count(*) FROM clients_clientnamegram WHERE gram = '外'")
            assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("term", ["王", "科技有限"])
def test_the_application_role_can_answer_a_search_from_indexes(bank, named, term):
    """The point of the grams: under row-level security PostgreSQL may use
    an index for text equality (leakproof), never for LIKE. With sequential
    scans priced out, the plan reads the grams by index and never scans the
    clients table."""
    with bank.scope():
        qs = client_list(user=bank.admin, search=term)[:50]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "clients_clientnamegram" in plan and "Index" in plan
    assert "Seq Scan on clients_client " not in plan + " "
