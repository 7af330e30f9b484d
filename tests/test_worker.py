"""What a Celery worker does before its first task (config/celery.py)."""

from __future__ import annotations

from celery.fixups.django import DjangoWorkerFixup

from config.celery import app


def test_a_worker_leaves_the_system_checks_to_the_deploy(monkeypatch):
    """``migrate`` runs Django's checks before every deploy; a worker running
    them again at start imports the whole URL configuration first (9 MiB of a
    worker at rest on the bench)."""
    ran = []
    monkeypatch.setattr("django.core.checks.run_checks", lambda *a, **k: ran.append(1))
    DjangoWorkerFixup(app).validate_models()
    assert ran == []


def test_an_empty_setting_makes_a_worker_run_them(monkeypatch):
    ran = []
    monkeypatch.setattr("django.core.checks.run_checks", lambda *a, **k: ran.append(1))
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "")
    DjangoWorkerFixup(app).validate_models()
    assert ran == [1]
