"""No personal data or credential in a log line (issue 8 finding 11).

Access logs (runserver's ``django.server``, gunicorn's access log) and
Django's request/security logs print request paths and query strings, which
carry searches by id number, phone or email and the secret tokens of the
calendar feed and the public survey/RSVP links. ``redact()`` replaces:

- every query-string value, except those of a short list of harmless
  parameters (paging, ordering, status filters...);
- the token segment of token URLs: ``/calendar/<token>.ics``, ``/s/<token>/``,
  ``/e/<token>/``.

``RedactingFilter`` applies it to every record a handler writes (set on
every handler in ``settings.LOGGING``); ``config.gunicorn.conf`` uses
``RedactingGunicornLogger`` for gunicorn's access log.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

MASK = "[redacted]"

# Query parameters whose values are never personal data nor secrets.
SAFE_PARAMS = frozenset(
    {
        "page",
        "page_size",
        "ordering",
        "sort",
        "order",
        "status",
        "kind",
        "role",
        "tier",
        "format",
        "lang",
        "language",
        "period",
        "tab",
        "view",
        "confidential",
        "overdue",
        "dry_run",
    }
)

# Path segments that are themselves credentials.
TOKEN_PATHS = [
    re.compile(r"(/calendar/)[^/?#\s\"]+(\.ics)"),
    re.compile(r"(/s/)[^/?#\s\"]+(/)"),
    re.compile(r"(/e/)[^/?#\s\"]+(/)"),
]

_QUERY = re.compile(r"\?([^\s\"'#]*)")


def _redact_query(match: re.Match) -> str:
    parts = []
    for pair in match.group(1).split("&"):
        key, sep, value = pair.partition("=")
        if sep and value and unquote_plus(key).lower() not in SAFE_PARAMS:
            value = MASK
        elif not sep and key and unquote_plus(key).lower() not in SAFE_PARAMS:
            key = MASK  # a bare value (``?13800001111``) is a value too
        parts.append(f"{key}{sep}{value}")
    return "?" + "&".join(parts)


def redact(text: str) -> str:
    """``text`` with query values and URL tokens replaced by ``[redacted]``."""
    if not isinstance(text, str) or ("?" not in text and "/" not in text):
        return text
    for pattern in TOKEN_PATHS:
        text = pattern.sub(rf"\g<1>{MASK}\g<2>", text)
    return _QUERY.sub(_redact_query, text)


def _redact_arg(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return redact(value.decode("latin-1"))
    return value


class RedactingFilter(logging.Filter):
    """Rewrites a record's message and arguments before any formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            # in place: gunicorn passes a dict subclass that answers "-" for missing keys
            for key, value in list(record.args.items()):
                record.args[key] = _redact_arg(value)
        elif record.args:
            record.args = tuple(_redact_arg(a) for a in record.args)
        return True


try:  # gunicorn is not needed to import the filter (runserver, tests)
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None


_QUERY_ATOMS = {"q", "{query_string}e"}  # the query string alone, without its "?"
_SECRET_ATOMS = {"{authorization}i", "{cookie}i", "{http_authorization}e", "{http_cookie}e"}

if _GunicornLogger is not None:

    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger with every access-log atom redacted; the
        Authorization and Cookie headers are never printed."""

        def setup(self, cfg):
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.addFilter(RedactingFilter())

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key, value in atoms.items():
                if key in _SECRET_ATOMS:
                    atoms[key] = MASK
                elif key in _QUERY_ATOMS and value:
                    atoms[key] = redact("?" + value)[1:]
                elif isinstance(value, str):
                    atoms[key] = redact(value)
            return atoms
