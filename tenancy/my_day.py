"""'My day' (``/``) is assembled from sections that other apps register, so
tenancy depends on none of them. An app registers in its AppConfig.ready():

    from tenancy.my_day import register_my_day_section
    register_my_day_section(order=10, template="communications/_my_day.html",
                            context=my_day_context)

``context(request) -> dict`` must build its data from selectors (access policy);
the template sees its keys directly and as ``section.<key>`` (``{% render_section %}``).
One section per template (``tenancy.registry`` rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .registry import Registry


@dataclass(frozen=True)
class MyDaySection:
    template: str
    context: Callable


MY_DAY_SECTIONS: Registry[MyDaySection] = Registry("my day sections")


def register_my_day_section(*, order: int, template: str, context: Callable) -> None:
    MY_DAY_SECTIONS.register(template, MyDaySection(template, context), order=order)


def my_day_sections(request) -> list[dict]:
    return [{"template": s.template, **s.context(request)} for s in MY_DAY_SECTIONS]
