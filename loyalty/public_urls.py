"""The public pages clients reach without a login (mounted at the root by
config/urls.py): ``/s/<token>/`` the satisfaction survey, ``/e/<token>/``
the RSVP page of a client-care event invitation."""

from django.urls import path

from . import public
from .events import public as event_public

urlpatterns = [
    path("s/<str:token>/", public.survey_page, name="survey_public"),
    path("e/<str:token>/", event_public.rsvp_page, name="event_public"),
]
