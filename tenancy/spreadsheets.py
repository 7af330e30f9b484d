"""What every CSV export shares: a cell a spreadsheet would run as a formula
(CSV injection, OWASP) is neutralised with a leading quote."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """The cell as text, neutralised when it starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
