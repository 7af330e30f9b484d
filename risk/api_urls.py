"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
    ClientClassificationView,
    ClientExposureView,
    ClientWhatIfView,
    CollateralViewSet,
    CreditLimitViewSet,
    ReviewCalendarView,
    RiskAssessmentViewSet,
    WatchListViewSet,
)

router = SimpleRouter()
router.register("risk-assessments", RiskAssessmentViewSet, basename="riskassessment")
router.register("collaterals", CollateralViewSet, basename="collateral")
router.register("credit-limits", CreditLimitViewSet, basename="creditlimit")
router.register("watch-list", WatchListViewSet, basename="watchlistentry")

urlpatterns: list = [
    *router.urls,
    path("risk-calendar/", ReviewCalendarView.as_view(), name="risk-calendar"),
    path("clients/<int:client_id>/exposure/", ClientExposureView.as_view(), name="client-exposure"),
    path(
        "clients/<int:client_id>/exposure/what-if/",
        ClientWhatIfView.as_view(),
        name="client-exposure-what-if",
    ),
    path(
        "clients/<int:client_id>/classification/",
        ClientClassificationView.as_view(),
        name="client-classification",
    ),
]
