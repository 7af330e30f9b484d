"""Reading an uploaded CSV: size cap, encoding, rows.

Core-banking exports come as UTF-8 (with or without a BOM) or GB18030 (the
superset of GBK that Chinese systems write). ``auto`` tries UTF-8 strictly and
then GB18030 strictly over the whole file; anything else (UTF-16, bytes that
decode in neither) is refused with the byte offset and row of the first bad
byte. Nothing is ever decoded leniently: a replaced character would be
written to the bank's data.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

AUTO, UTF8, GB18030 = "auto", "utf-8", "gb18030"
ENCODING_CHOICES = (AUTO, UTF8, GB18030)
CHUNK = 1 << 20
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # also the start of UTF-32 BOMs


def encoding_label(name: str) -> str:
    return {AUTO: _("Detect (UTF-8 or GB18030)"), UTF8: "UTF-8", GB18030: "GB18030 / GBK"}.get(
        name, name
    )


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def check_size(upload) -> None:
    """ValidationError naming ``file`` for an upload over ``IMPORT_MAX_BYTES`` (before it
    is stored or read)."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ValidationError({"file": too_large_message()})


def too_large_message() -> str:
    limit = max_bytes()
    return _("The file is too large: at most %(mb)s MB (%(bytes)s bytes).") % {
        "mb": f"{limit / (1024 * 1024):g}",
        "bytes": limit,
    }


@dataclass
class Undecodable(Exception):
    message: str
    row: int


def _check(stream, encoding: str) -> Undecodable | None:
    """Decode the whole binary ``stream`` strictly, chunk by chunk; the first bad byte's
    offset and row, or None."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    stream.seek(0)
    while True:
        chunk = stream.read(CHUNK)
        final = not chunk
        buffered = len(decoder.getstate()[0])  # bytes of the previous chunk not yet decoded
        try:
            decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            bad = max(offset - buffered + exc.start, 0)
            stream.seek(0)
            before = stream.read(bad) if bad else b""
            row = before.count(b"\n") + 1
            return Undecodable(
                _(
                    "The file is not valid %(encoding)s: undecodable bytes at byte offset "
                    "%(offset)s (row %(row)s)."
                )
                % {"encoding": encoding_label(encoding), "offset": bad, "row": row},
                row,
            )
        if final:
            return None
        offset += len(chunk)


def detect_encoding(stream, choice: str = AUTO) -> tuple[str | None, Undecodable | None]:
    """(the encoding to read ``stream`` with, None) or (None, the reason it cannot be read).
    ``stream`` is binary and seekable; it is left at its start."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(UTF16_BOMS):
        return None, Undecodable(
            _(
                "The file is UTF-16 (byte order mark at byte offset 0, row 1): save it as "
                "UTF-8 or GB18030."
            ),
            1,
        )
    if choice not in ENCODING_CHOICES:
        return None, Undecodable(_("Unknown encoding “%(value)s”.") % {"value": choice}, 1)
    candidates = (UTF8, GB18030) if choice == AUTO else (choice,)
    problem = None
    for encoding in candidates:
        problem = _check(stream, encoding)
        if problem is None:
            stream.seek(0)
            return encoding, None
    stream.seek(0)
    if choice == AUTO:
        problem.message = _(
            "The file is neither UTF-8 nor GB18030 (GBK): %(problem)s Save it in one of them."
        ) % {"problem": _check(stream, UTF8).message}
        stream.seek(0)
    return None, problem


def csv_rows(stream, encoding: str) -> tuple[list[str], Any]:
    """Header (stripped) and a DictReader over ``stream`` (binary, or text already)."""
    if isinstance(stream, io.TextIOBase):
        text = stream
    else:
        # utf-8-sig drops a BOM; GB18030 files have none
        text = io.TextIOWrapper(
            stream, encoding="utf-8-sig" if encoding == UTF8 else encoding, newline=""
        )
    reader = csv.DictReader(text)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    return header, reader
