"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
    ClientClassificationView,
    ClientExposureView,
    ClientWhatIfView,
    CollateralViewSet,
    CreditLimitViewSet,
    OverrideRatesView,
    ReviewCalendarView,
    RiskAlertViewSet,
    RiskAssessmentViewSet,
    RiskSettingsView,
    WatchListViewSet,
)

router = SimpleRouter()
router.register("risk-assessments", RiskAssessmentViewSet, basename="riskassessment")
router.register("collaterals", CollateralViewSet, basename="collateral")
router.register("credit-limits", CreditLimitViewSet, basename="creditlimit")
router.register("risk-alerts", RiskAlertViewSet, basename="riskalert")
router.register("watch-list", WatchListViewSet, basename="watchlistentry")

urlpatterns: list = [
    *router.urls,
    path("risk-settings/", RiskSettingsView.as_view(), name="risk-settings"),
    path("risk-override-rates/", OverrideRatesView.as_view(), name="risk-override-rates"),
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
