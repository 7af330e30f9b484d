from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/<int:staff_id>/", views.staff_edit, name="staff_edit"),
    path("branches/", views.branch_list, name="branches"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]
