"""This app's routes under /api/v1/ (a SimpleRouter: the API root lives in config)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("clients", api.ClientViewSet, basename="client")
router.register("contact-persons", api.ContactPersonViewSet, basename="contact-person")
router.register("life-events", api.LifeEventViewSet, basename="life-event")
router.register("client-groups", api.RelationshipGroupViewSet, basename="client-group")

urlpatterns: list = [*router.urls]
