"""The public pages clients reach without a login (mounted at the root by
config/urls.py): ``/s/<token>/`` the satisfaction survey."""

from django.urls import path

from . import public

urlpatterns = [
    path("s/<str:token>/", public.survey_page, name="survey_public"),
]
