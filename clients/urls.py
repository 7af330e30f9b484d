from django.urls import path  # noqa: F401

app_name = "clients"

urlpatterns: list = []


# --- portfolio (issue 3 part B): catalogue, tiers, imports, export ---
from . import portfolio_views  # noqa: E402

urlpatterns[:0] = [  # first, so no clients/<...>/ pattern can swallow these words
    path("export/", portfolio_views.client_export, name="export"),
    path("products/", portfolio_views.product_list, name="products"),
    path("products/<int:product_id>/", portfolio_views.product_edit, name="product_edit"),
    path("tiers/", portfolio_views.tier_thresholds, name="tiers"),
    path("imports/", portfolio_views.import_list, name="imports"),
    path("imports/<int:job_id>/", portfolio_views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/confirm/", portfolio_views.import_confirm, name="import_confirm"),
]
