"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import KpiSnapshotViewSet, KpiWeightsView
from .api_training import TrainingViewSet

router = SimpleRouter()
router.register("kpis", KpiSnapshotViewSet, basename="kpisnapshot")
router.register("trainings", TrainingViewSet, basename="training")

urlpatterns: list = [
    *router.urls,
    path("kpi-weights/", KpiWeightsView.as_view(), name="kpi-weights"),
]
