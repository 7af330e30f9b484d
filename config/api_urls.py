"""Everything under /api/v1/. Each app contributes its routes here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tenancy import api as tenancy_api

router = DefaultRouter()
router.register("branches", tenancy_api.BranchViewSet, basename="branch")
router.register("users", tenancy_api.UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", tenancy_api.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", tenancy_api.TokenListView.as_view(), name="api-tokens"),
    path("auth/logout/", tenancy_api.LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", tenancy_api.LogoutAllView.as_view(), name="api-logout-all"),
    path("me/", tenancy_api.MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
    path("", include("clients.api_urls")),
    path("", include("communications.api_urls")),
    path("", include("risk.api_urls")),
    path("", include("loyalty.api_urls")),
    path("", include("performance.api_urls")),
]
