"""Chinese client names sort by pinyin on PostgreSQL (ICU collation of migration
0102); SQLite keeps code point order."""

import pytest
from django.db import connection

from clients.models import Client
from clients.models.fields import PINYIN_COLLATION
from clients.selectors import client_list
from tests.conftest import postgres_only
from tests.factories import ClientFactory

NAMES = ["张三", "李四", "王五", "阿明"]
PINYIN_ORDER = ["阿明", "李四", "王五", "张三"]  # a, li, wang, zhang


@pytest.fixture
def named(bank):
    with bank.scope():
        for name in NAMES:
            ClientFactory(tenant=bank.tenant, branch=bank.branch, name=name)
    return bank


@postgres_only()
def test_client_list_sorts_chinese_names_by_pinyin(named):
    with named.scope():
        names = list(client_list(user=named.admin).values_list("name", flat=True))
        reverse = list(
            client_list(user=named.admin, ordering="-name").values_list("name", flat=True)
        )
        by_model_default = list(Client.objects.values_list("name", flat=True))
    assert [n for n in names if n in NAMES] == PINYIN_ORDER
    assert [n for n in reverse if n in NAMES] == PINYIN_ORDER[::-1]
    assert [n for n in by_model_default if n in NAMES] == PINYIN_ORDER


@postgres_only()
def test_client_list_page_shows_names_in_pinyin_order(named, web_for):
    html = web_for(named.admin).get("/clients/?sort=name").content.decode()
    positions = [html.index(name) for name in PINYIN_ORDER]
    assert positions == sorted(positions)


@postgres_only()
def test_name_column_uses_the_pinyin_collation_and_keeps_its_search_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'clients_client' AND column_name = 'name'"
        )
        assert cursor.fetchone()[0] == PINYIN_COLLATION
        # rebuilt under the new collation and valid: the (tenant, name) index orders
        # the list; the trigram index (where pg_trgm could be created) serves search
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'clients_client'::regclass AND i.indisvalid "
            "AND c.relname IN ('client_tenant_name', 'client_name_trgm')"
        )
        indexes = {row[0] for row in cursor.fetchall()}
    assert "client_tenant_name" in indexes


def test_name_search_still_finds_chinese_substrings(named):
    with named.scope():
        found = list(client_list(user=named.admin, search="李").values_list("name", flat=True))
    assert found == ["李四"]


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only()
def test_a_branch_heads_clients_by_name_are_read_in_order_from_an_index(named):
    """A branch head's list (first page by name) and My day's quick-log choices
    read their branch's clients in (pinyin) name order from ``client_branch_name``
    — not the bank's whole name index with the other branches' rows dropped (at
    100,000 clients 4.5 ms → 0.3 ms for the choices; docs/BENCHMARKS.md)."""
    from communications.selectors import client_choices

    head = named.branch_head
    with named.scope():
        first_page = client_list(user=head)[:50]
        choices = client_choices(user=head).values_list("pk", "name")[:300]
        assert [c.name for c in first_page] == PINYIN_ORDER
        assert [name for _pk, name in choices] == PINYIN_ORDER
        for qs in (first_page, choices):
            plan = _plan(qs)
            assert "client_branch_name" in plan, plan
            assert "Sort" not in plan, plan
