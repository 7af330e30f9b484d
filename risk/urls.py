"""Mounted at /risk/ (config/urls.py)."""

from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("calendar/", views.review_calendar, name="calendar"),
    path("approvals/", views.approvals, name="approvals"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:alert_id>/update/", views.alert_update, name="alert_update"),
    path("settings/", views.settings_edit, name="settings"),
    path("overrides/", views.override_rates_page, name="override_rates"),
    path("watch-list/", views.watch_list, name="watch_list"),
    path("clients/<int:client_id>/watch-list/add/", views.watch_add, name="watch_add"),
    path("clients/<int:client_id>/watch-list/remove/", views.watch_remove, name="watch_remove"),
    path("clients/<int:client_id>/assess/", views.assessment_create, name="assessment_create"),
    path(
        "clients/<int:client_id>/classification/",
        views.classification_set,
        name="classification_set",
    ),
    path("clients/<int:client_id>/what-if/", views.what_if, name="what_if"),
    path("groups/<int:group_id>/limit/", views.group_limit_create, name="group_limit_create"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<int:assessment_id>/submit/",
        views.assessment_submit,
        name="assessment_submit",
    ),
    path(
        "assessments/<int:assessment_id>/decide/",
        views.assessment_decide,
        name="assessment_decide",
    ),
]
