from django.urls import path

from . import views, views_training

app_name = "performance"

urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("drill/<slug:measure>/", views.drill, name="drill"),
    path("export/", views.export, name="export"),
    path("rm/<int:rm_id>/", views.rm_scorecard, name="rm_scorecard"),
    path("rm/<int:rm_id>/actions/", views.action_create, name="action_create"),
    path("actions/<int:action_id>/", views.action_close, name="action_close"),
    path("settings/", views.settings_edit, name="settings"),
    path("trainings/", views_training.trainings, name="trainings"),
    path("certifications/", views_training.certifications, name="certifications"),
]
