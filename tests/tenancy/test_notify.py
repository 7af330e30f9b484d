"""tenancy.notify: an app announces without importing the notifications centre."""

from communications.models import Notification
from tenancy.notify import NOTIFICATION_SINKS, Notice, notify


def test_notify_writes_the_recipients_notification_in_the_callers_scope(bank, other_bank):
    with bank.scope():
        written = notify([Notice(recipient_id=bank.rm.pk, title="Rating approved", url="/risk/")])
        rows = list(Notification.objects.filter(recipient=bank.rm))
    assert written == 1
    assert [(n.title, n.url, n.tenant_id) for n in rows] == [
        ("Rating approved", "/risk/", bank.tenant.pk)
    ]
    with other_bank.scope():
        assert not Notification.objects.exists()


def test_notify_without_a_sink_writes_nothing(bank):
    saved = dict(NOTIFICATION_SINKS._entries)
    NOTIFICATION_SINKS._entries.clear()
    try:
        with bank.scope():
            assert notify([Notice(recipient_id=bank.rm.pk, title="x")]) == 0
            assert not Notification.objects.exists()
    finally:
        NOTIFICATION_SINKS._entries.update(saved)
