from django.urls import path

from .surveys import views as survey_views

app_name = "loyalty"

urlpatterns: list = [
    # satisfaction surveys (loyalty/surveys/)
    path("", survey_views.dashboard, name="dashboard"),
    path("recoveries/<int:recovery_id>/", survey_views.recovery, name="recovery"),
    path("clients/<int:client_id>/survey-invite/", survey_views.invite, name="survey_invite"),
    path("survey-settings/", survey_views.settings_edit, name="survey_settings"),
]
