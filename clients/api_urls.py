"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list = [*router.urls]


# --- portfolio (issue 3 part B): products, holdings, transactions, imports, export ---
# Own router; inserted first so a clients/<pk>/ route cannot swallow "clients/export/".
from django.urls import path  # noqa: E402

from . import portfolio_api  # noqa: E402

portfolio_router = SimpleRouter()
portfolio_router.register("products", portfolio_api.ProductViewSet, basename="product")
portfolio_router.register("holdings", portfolio_api.HoldingViewSet, basename="holding")
portfolio_router.register("transactions", portfolio_api.TransactionViewSet, basename="transaction")
portfolio_router.register("imports", portfolio_api.ImportJobViewSet, basename="import")
urlpatterns[:0] = [
    path("clients/export/", portfolio_api.ClientExportView.as_view(), name="api-client-export"),
    *portfolio_router.urls,
]
