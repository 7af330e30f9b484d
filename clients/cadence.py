"""Revisit cadence tighteners: how an app makes some clients due for a revisit
sooner than their tier's cadence, without communications (which owns the
cadence) or clients importing it. Register in ``AppConfig.ready()``::

    from clients.cadence import register_cadence_tightener
    register_cadence_tightener(key="risk.watch_list", q=on_watch_list_q, factor=Decimal("0.5"))

``q(prefix) -> Q`` selects the clients concerned (``prefix`` reaches Client
through a relation, e.g. ``"client__"``; it must stay one SQL expression —
an ``Exists()`` — so the revisit queries stay one query). ``factor`` (0 < f ≤ 1)
multiplies the tier's cadence: 0.5 turns a 30-day cadence into 15 days.

Rules (``communications.selectors.revisit_overdue_q`` applies them):
- a client matching several tighteners is due after the shortest result;
- a matching client whose tier has no cadence (standard) gets the tenant's
  tightest tier cadence × factor;
- closed clients are never due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from tenancy.registry import Registry


@dataclass(frozen=True)
class CadenceTightener:
    key: str
    q: Callable[[str], Q]
    factor: Decimal


CADENCE_TIGHTENERS: Registry[CadenceTightener] = Registry("revisit cadence tighteners")


def register_cadence_tightener(
    *, key: str, q: Callable[[str], Q], factor: Decimal, order: int = 0
) -> None:
    factor = Decimal(str(factor))
    if not Decimal("0") < factor <= Decimal("1"):
        raise ValueError(f"cadence factor of {key} must be in (0, 1], not {factor}")
    CADENCE_TIGHTENERS.register(key, CadenceTightener(key, q, factor), order=order)


def cadence_tighteners() -> list[CadenceTightener]:
    return CADENCE_TIGHTENERS.entries()
