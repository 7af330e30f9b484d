"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from rest_framework.routers import SimpleRouter

from .surveys.api import SurveyInvitationViewSet, SurveyResponseViewSet, SurveyViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-invitations", SurveyInvitationViewSet, basename="surveyinvitation")
router.register("survey-responses", SurveyResponseViewSet, basename="surveyresponse")

urlpatterns: list = [*router.urls]
