"""tenancy's shared helpers: one registry, navigation from it, one time-zone
helper, one get-or-404, one per-tenant fan-out, enqueueing by task name."""

from __future__ import annotations

import zoneinfo

import pytest
from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch

from tenancy import layout
from tenancy.models import Branch, Tenant
from tenancy.registry import Registry
from tenancy.schedules import enqueue_after_commit, fan_out_per_tenant
from tenancy.shortcuts import get_or_404
from tenancy.timezones import tenant_zone, user_zone


def test_registering_a_key_again_replaces_it_and_order_is_stable():
    registry: Registry[str] = Registry("test")
    registry.register("b", "second", order=20)
    registry.register("a", "first", order=10)
    registry.register("c", "also 20", order=20)
    registry.register("b", "second again", order=20)
    assert registry.entries() == ["first", "second again", "also 20"]
    assert len(registry) == 3


def _nav(web_for, user, path):
    response = web_for(user).get(path)
    return {item["name"]: item["active"] for item in response.context["nav_items"]}


def test_only_the_longest_matching_nav_item_is_active(bank, web_for):
    nav = _nav(web_for, bank.admin, "/manage/audit/")
    assert [name for name, active in nav.items() if active] == ["tenancy:audit"]
    assert "tenancy:manage" in nav
    nav = _nav(web_for, bank.admin, "/manage/")
    assert [name for name, active in nav.items() if active] == ["tenancy:manage"]


def test_navigation_is_what_the_apps_registered_for_the_role(bank, web_for):
    rm = _nav(web_for, bank.rm, "/")
    assert list(rm) == ["home", "clients:list", "communications:followups"]
    assert rm["home"] is True
    compliance = _nav(web_for, bank.compliance, "/manage/audit/")  # "/" lands there
    assert "tenancy:audit" in compliance and "communications:followups" not in compliance
    # A role that does not land on My day is not offered it in the menu.
    assert "home" not in compliance
    assert "home" not in _nav(web_for, bank.risk_officer, "/clients/")
    assert "home" in _nav(web_for, bank.branch_head, "/")


def test_a_nav_item_for_an_unknown_url_fails_loudly(bank, web_for, monkeypatch):
    monkeypatch.setattr(layout, "NAV_ITEMS", Registry("nav"))
    layout.register_nav_item(order=1, url_name="nowhere:index", label="Nowhere")
    with pytest.raises(NoReverseMatch):
        layout.nav_items(role=bank.rm.role, path="/")


def test_tenant_zone_and_its_one_fallback(bank):
    assert tenant_zone(bank.tenant) == zoneinfo.ZoneInfo(bank.tenant.timezone)
    Tenant.objects.filter(pk=bank.tenant.pk).update(timezone="Mars/Olympus")
    bank.tenant.refresh_from_db()
    assert tenant_zone(bank.tenant) == zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert tenant_zone(bank.tenant.pk) == zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with bank.scope():
        assert tenant_zone() == zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert user_zone(bank.rm) == zoneinfo.ZoneInfo(settings.TIME_ZONE)


@pytest.mark.parametrize("pk", [None, "", "abc", "1.5", 10**30, "99999999"])
def test_get_or_404_answers_404_for_anything_but_a_row(bank, pk):
    with bank.scope(), pytest.raises(Http404):
        get_or_404(Branch.objects.all(), pk)


def test_get_or_404_does_not_reach_another_tenant(bank, other_bank):
    with bank.scope():
        assert get_or_404(Branch.objects.all(), bank.branch.pk) == bank.branch
        with pytest.raises(Http404):
            get_or_404(Branch.objects.all(), other_bank.branch.pk)


class _RecordingTask:
    def __init__(self):
        self.calls = []

    def delay(self, **kwargs):
        self.calls.append(kwargs)


def test_fan_out_enqueues_one_task_per_tenant(bank, other_bank):
    task = _RecordingTask()
    assert fan_out_per_tenant(task, batch_size=5) == Tenant.objects.count()
    ids = [c["tenant_id"] for c in task.calls]
    assert {bank.tenant.pk, other_bank.tenant.pk} <= set(ids) and len(ids) == len(set(ids))
    assert all(c["batch_size"] == 5 for c in task.calls)


def test_enqueue_after_commit_sends_by_name_only_after_commit(
    bank, monkeypatch, django_capture_on_commit_callbacks
):
    from clients import tasks

    sent = []
    monkeypatch.setattr(tasks.tiering_for_tenant, "delay", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_after_commit("clients.tasks.tiering_for_tenant", tenant_id=bank.tenant.pk)
        assert sent == []
    assert len(callbacks) == 1 and sent == [{"tenant_id": bank.tenant.pk}]
