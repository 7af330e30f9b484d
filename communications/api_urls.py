"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from rest_framework.routers import SimpleRouter

from .api import FollowUpViewSet, InteractionViewSet, NotificationViewSet

router = SimpleRouter()
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("follow-ups", FollowUpViewSet, basename="followup")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns: list = [*router.urls]
