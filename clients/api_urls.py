"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import core as api
from .api import groups as group_api
from .api import portfolio as portfolio_api

router = SimpleRouter()
router.register("clients", api.ClientViewSet, basename="client")
router.register("contact-persons", api.ContactPersonViewSet, basename="contact-person")
router.register("life-events", api.LifeEventViewSet, basename="life-event")
router.register("client-groups", group_api.RelationshipGroupViewSet, basename="client-group")
router.register("products", portfolio_api.ProductViewSet, basename="product")
router.register("holdings", portfolio_api.HoldingViewSet, basename="holding")
router.register("transactions", portfolio_api.TransactionViewSet, basename="transaction")
router.register("imports", portfolio_api.ImportJobViewSet, basename="import")

urlpatterns: list = [
    # before the router, so clients/<pk>/ cannot take "export"
    path("clients/export/", portfolio_api.ClientExportView.as_view(), name="api-client-export"),
    *router.urls,
]
