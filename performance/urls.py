from django.urls import path

from . import views, views_training

app_name = "performance"

urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("drill/<slug:measure>/", views.drill, name="drill"),
    path("export/", views.export, name="export"),
    path("settings/", views.settings_edit, name="settings"),
    path("trainings/", views_training.trainings, name="trainings"),
    path("certifications/", views_training.certifications, name="certifications"),
]
