from django.urls import path

from . import views_points
from .events import views as event_views
from .surveys import views as survey_views

app_name = "loyalty"

urlpatterns: list = [
    # satisfaction surveys (loyalty/surveys/)
    path("", survey_views.dashboard, name="dashboard"),
    path("recoveries/<int:recovery_id>/", survey_views.recovery, name="recovery"),
    path("clients/<int:client_id>/survey-invite/", survey_views.invite, name="survey_invite"),
    path("survey-settings/", survey_views.settings_edit, name="survey_settings"),
]

# points and rewards (loyalty/views_points.py)
urlpatterns += [
    path("rewards/", views_points.reward_list, name="rewards"),
    path("rewards/<int:reward_id>/edit/", views_points.reward_edit, name="reward_edit"),
    path("rewards/<int:reward_id>/redeem/", views_points.reward_redeem, name="reward_redeem"),
    path("points/liability/", views_points.liability, name="points_liability"),
    path("points/approvals/", views_points.approvals, name="points_approvals"),
    path(
        "points/approvals/<int:adjustment_id>/approve/",
        views_points.approval_approve,
        name="points_approve",
    ),
    path(
        "points/approvals/<int:adjustment_id>/reject/",
        views_points.approval_reject,
        name="points_reject",
    ),
    path("points/settings/", views_points.settings_edit, name="points_settings"),
    path(
        "points/clients/<int:client_id>/adjust/", views_points.points_adjust, name="points_adjust"
    ),
]

# client-care events (loyalty/events/)
urlpatterns += [
    path("events/", event_views.event_list, name="events"),
    path("events/new/", event_views.event_create, name="event_create"),
    path("events/<int:event_id>/", event_views.event_detail, name="event"),
    path("events/<int:event_id>/edit/", event_views.event_edit, name="event_edit"),
    path("events/<int:event_id>/invite/", event_views.event_invite, name="event_invite"),
    path("events/<int:event_id>/check-in/", event_views.event_check_in, name="event_check_in"),
]
