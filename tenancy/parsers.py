"""The API's JSON parser: bounded in size and nesting, numbers finite.

Python's json module recurses once per nesting level: a 50,000-deep array
raised RecursionError (a 500, even without a login, on the token endpoint).
A body nested deeper than ``API_JSON_MAX_DEPTH`` (default 32), larger than
``API_JSON_MAX_BYTES`` (default ``DATA_UPLOAD_MAX_MEMORY_SIZE``), or holding a
number that does not fit a double (``1e999999`` parses to infinity) or a
``NaN``/``Infinity`` constant is a 400 before any view code sees it.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_DEPTH = 32


def _max_depth() -> int:
    return int(getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def _max_bytes() -> int:
    return int(
        getattr(settings, "API_JSON_MAX_BYTES", None)
        or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        or 2_621_440
    )


def nesting_depth_exceeds(text: str, limit: int) -> bool:
    """True when brackets outside strings nest deeper than ``limit`` (one pass, no
    recursion, so it is safe for any input)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError(
            _("JSON parse error - number out of range: %(number)s") % {"number": text[:40]}
        )
    return value


def _refuse_constant(name: str):
    raise ParseError(_("JSON parse error - %(name)s is not a number.") % {"name": name})


class SafeJSONParser(JSONParser):
    """Default parser of every API view (``DEFAULT_PARSER_CLASSES``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = _max_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("JSON body too large (at most %(n)s bytes).") % {"n": limit})
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(
                _("JSON parse error - not valid %(encoding)s.") % {"encoding": encoding}
            ) from exc
        if nesting_depth_exceeds(text, _max_depth()):
            raise ParseError(
                _("JSON parse error - nested deeper than %(n)s levels.") % {"n": _max_depth()}
            )
        try:
            return json.loads(text, parse_float=_finite_float, parse_constant=_refuse_constant)
        except RecursionError as exc:  # the depth check makes this unreachable; keep it a 400
            raise ParseError(_("JSON parse error - nested too deeply.")) from exc
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
