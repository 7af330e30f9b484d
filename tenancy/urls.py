from django.urls import path

from . import views, views_security

app_name = "tenancy"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/<int:staff_id>/", views.staff_edit, name="staff_edit"),
    path("branches/", views.branch_list, name="branches"),
    path("audit/", views.audit, name="audit"),
    path("security/", views_security.manage_security, name="security"),
    path(
        "staff/<int:staff_id>/revoke-tokens/",
        views_security.staff_revoke_tokens,
        name="staff_revoke_tokens",
    ),
    path(
        "staff/<int:staff_id>/reset-two-factor/",
        views_security.staff_reset_two_factor,
        name="staff_reset_two_factor",
    ),
]
