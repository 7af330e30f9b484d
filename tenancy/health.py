from __future__ import annotations

import os

from celery import current_app
from django.conf import settings


def broker_status() -> str:
    """'ok' when the Celery broker answers, else 'unavailable' (never raises)."""
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith("filesystem://"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
            return "ok" if os.access(folder, os.W_OK) else "unavailable"
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            return "ok" if client.ping() else "unavailable"
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception:
        return "unavailable"
