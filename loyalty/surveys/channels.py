"""How a survey message reaches a client. Email is real (Django's email
backend, ``EMAIL_URL``); SMS and WeChat are pluggable: a backend is a class
with ``send(*, to, subject, body)``, named by dotted path in the settings
``LOYALTY_SMS_BACKEND`` / ``LOYALTY_WECHAT_BACKEND``. Until a bank connects
its gateway the default backend writes the message to the log (without the
address or the link's token) and counts as delivered."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from ..models import SurveyChannel

log = logging.getLogger("steward.loyalty.channels")


class LoggingBackend:
    """Logs that a message would have been sent (no gateway connected)."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, *, to: str, subject: str, body: str) -> None:
        log.info("%s message not sent (no gateway connected): %s", self.channel, subject)


class EmailBackend:
    def send(self, *, to: str, subject: str, body: str) -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def backend_for(channel: str):
    if channel == SurveyChannel.EMAIL:
        return EmailBackend()
    setting = {
        SurveyChannel.SMS: "LOYALTY_SMS_BACKEND",
        SurveyChannel.WECHAT: "LOYALTY_WECHAT_BACKEND",
    }
    path = getattr(settings, setting.get(channel, ""), "") if channel in setting else ""
    if path:
        return import_string(path)()
    return LoggingBackend(channel)


def address_for(channel: str, client) -> str:
    return client.email if channel == SurveyChannel.EMAIL else client.phone
