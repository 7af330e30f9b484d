"""``seed_demo`` builds the demo bank's tenant and staff here; every other app
adds its own demo data through a registered seeder, so tenancy imports none
of them. Register in AppConfig.ready():

    from tenancy.seeding import register_seeder
    register_seeder(order=10, seeder=seed_clients)

``seeder(ctx: SeedContext) -> None`` runs inside the demo tenant's scope and
must be deterministic for ``ctx.seed``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.management.base import OutputWrapper

from .models import Branch, Tenant, User


@dataclass
class SeedContext:
    tenant: Tenant
    seed: int
    clients: int
    interactions: int
    rng: random.Random
    branches: list[Branch]
    staff: dict[str, list[User]]
    stdout: OutputWrapper | None = None
    extra: dict = field(default_factory=dict)

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)


_SEEDERS: list[tuple[int, Callable[[SeedContext], None]]] = []


def register_seeder(*, order: int, seeder: Callable[[SeedContext], None]) -> None:
    if all(s is not seeder for _, s in _SEEDERS):
        _SEEDERS.append((order, seeder))
        _SEEDERS.sort(key=lambda pair: pair[0])


def run_seeders(ctx: SeedContext) -> None:
    for _order, seeder in _SEEDERS:
        seeder(ctx)
