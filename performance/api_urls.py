"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import KpiSnapshotViewSet, KpiWeightsView

router = SimpleRouter()
router.register("kpis", KpiSnapshotViewSet, basename="kpisnapshot")

urlpatterns: list = [
    *router.urls,
    path("kpi-weights/", KpiWeightsView.as_view(), name="kpi-weights"),
]
