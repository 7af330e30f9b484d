"""The one registry mechanism: how an app adds to something another app owns
(My day sections, 360° sections, navigation, top bar, /manage/ tiles, timeline
sources, periodic schedules, demo data) without the owner importing it.

Rules, the same for every registry:
- an entry has a ``key`` (a name, a template or a URL name); registering the
  same key again replaces the entry, so an ``AppConfig.ready()`` that runs
  twice (tests, reloads) never duplicates anything;
- entries come back ordered by ``(order, key)``: stable whatever the order in
  which apps are loaded;
- apps register in ``AppConfig.ready()``; nothing registers at import time of
  a request path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, tuple[int, T]] = {}

    def register(self, key: str, entry: T, *, order: int = 0) -> None:
        self._entries[key] = (order, entry)

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    def entries(self) -> list[T]:
        return [
            entry
            for _key, (_order, entry) in sorted(
                self._entries.items(), key=lambda item: (item[1][0], item[0])
            )
        ]

    def __iter__(self) -> Iterator[T]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self)} entries>"
