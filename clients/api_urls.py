"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list = [*router.urls]
