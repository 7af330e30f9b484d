"""Gates on product recommendations that other apps own.

clients may not import the apps above it (performance holds the staff's
certifications), so an app that can rule products out for a staff member
registers a gate here, in its ``AppConfig.ready()``::

    from clients.recommendation_gates import register_product_gate
    register_product_gate(key="performance.certifications", gate=certified_products)

A gate is ``fn(*, user, products: QuerySet[Product]) -> QuerySet[Product]``:
the products ``user`` may be offered, narrowed in SQL (so the 360° page keeps
its query count). Recommendations are made for the person viewing them, so
``user`` is the viewer. The recommendation engine
(``clients.selectors.recommendations.recommend``) runs every registered gate;
a gate fails closed (a user it cannot place is offered none of what it guards).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from tenancy.registry import Registry

ProductGate = Callable[..., QuerySet]

PRODUCT_GATES: Registry[ProductGate] = Registry("product recommendation gates")


def register_product_gate(*, key: str, gate: ProductGate, order: int = 0) -> None:
    PRODUCT_GATES.register(key, gate, order=order)


def gate_products(*, user, products) -> QuerySet:
    """``products`` (a QuerySet of the catalogue) narrowed by every registered
    gate for ``user``. A plain list cannot be narrowed in SQL: refused."""
    if not isinstance(products, QuerySet):
        raise TypeError("Product gates narrow a QuerySet of products; pass one.")
    for gate in PRODUCT_GATES:
        products = gate(user=user, products=products)
    return products
