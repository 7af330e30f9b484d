"""Mounted at the site root (config/urls.py), hence the prefixes."""

from django.urls import path

from . import views

app_name = "communications"

urlpatterns = [
    path("follow-ups/", views.followup_list, name="followups"),
    path("follow-ups/new/<int:client_id>/", views.followup_create, name="followup_create"),
    path("follow-ups/<int:followup_id>/status/", views.followup_status, name="followup_status"),
    path("follow-ups/<int:followup_id>/snooze/", views.followup_snooze, name="followup_snooze"),
    path("follow-ups/calendar/rotate/", views.calendar_rotate, name="calendar_rotate"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("interactions/log/", views.quick_log, name="quick_log"),
    path("interactions/client/<int:client_id>/log/", views.client_log, name="client_log"),
    path(
        "interactions/client/<int:client_id>/timeline/",
        views.client_timeline,
        name="client_timeline",
    ),
    path(
        "interactions/client/<int:client_id>/warnings/",
        views.contact_warnings,
        name="contact_warnings",
    ),
    path("interactions/<int:interaction_id>/", views.interaction_detail, name="interaction_detail"),
    path(
        "interactions/<int:interaction_id>/edit/", views.interaction_edit, name="interaction_edit"
    ),
    path(
        "interactions/<int:interaction_id>/amend/",
        views.interaction_amend,
        name="interaction_amend",
    ),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("manage/communications/", views.settings_edit, name="settings"),
]
