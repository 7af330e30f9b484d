"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from rest_framework.routers import SimpleRouter

from .surveys.api import SurveyInvitationViewSet, SurveyResponseViewSet, SurveyViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-invitations", SurveyInvitationViewSet, basename="surveyinvitation")
router.register("survey-responses", SurveyResponseViewSet, basename="surveyresponse")

urlpatterns: list = [*router.urls]

# --- points and rewards (loyalty/api_points.py) ------------------------------------------------
from django.urls import path  # noqa: E402

from .api_points import (  # noqa: E402
    ClientPointsView,
    PointsAdjustmentViewSet,
    RedemptionViewSet,
    RewardViewSet,
)

points_router = SimpleRouter()
points_router.register("points-adjustments", PointsAdjustmentViewSet, basename="pointsadjustment")
points_router.register("rewards", RewardViewSet, basename="reward")
points_router.register("redemptions", RedemptionViewSet, basename="redemption")

urlpatterns += [
    *points_router.urls,
    path("clients/<int:client_id>/points/", ClientPointsView.as_view(), name="client-points"),
]

# --- client-care events (loyalty/events/api.py) -----------------------------------------------
from .events.api import EventViewSet  # noqa: E402

events_router = SimpleRouter()
events_router.register("events", EventViewSet, basename="event")
urlpatterns += [*events_router.urls]
