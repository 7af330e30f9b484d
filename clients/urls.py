from django.urls import path

from .views import core as views
from .views import coverage as coverage_views
from .views import groups as group_views
from .views import portfolio as portfolio_views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("export/", portfolio_views.client_export, name="export"),
    path("reassign/", coverage_views.bulk_reassign, name="bulk_reassign"),
    path("products/", portfolio_views.product_list, name="products"),
    path("products/<int:product_id>/", portfolio_views.product_edit, name="product_edit"),
    path("tiers/", portfolio_views.tier_thresholds, name="tiers"),
    path("imports/", portfolio_views.import_list, name="imports"),
    path("imports/<int:job_id>/", portfolio_views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/confirm/", portfolio_views.import_confirm, name="import_confirm"),
    path("groups/", group_views.group_list, name="groups"),
    path("groups/<int:group_id>/", group_views.group_detail, name="group_detail"),
    path(
        "groups/<int:group_id>/members/<int:membership_id>/remove/",
        group_views.group_member_remove,
        name="group_member_remove",
    ),
    path("<int:client_id>/", views.client_detail, name="detail"),
    path("<int:client_id>/edit/", views.client_edit, name="edit"),
    path("<int:client_id>/reveal/", views.client_reveal, name="reveal"),
    path("<int:client_id>/coverage/", coverage_views.client_coverage, name="coverage"),
    path("<int:client_id>/coverage/team/", coverage_views.team_add, name="team_add"),
    path(
        "<int:client_id>/coverage/team/<int:member_id>/remove/",
        coverage_views.team_remove,
        name="team_remove",
    ),
    path("<int:client_id>/contacts/new/", views.contact_edit, name="contact_add"),
    path("<int:client_id>/contacts/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path(
        "<int:client_id>/contacts/<int:contact_id>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("<int:client_id>/life-events/", views.life_event_add, name="life_event_add"),
    path(
        "<int:client_id>/life-events/<int:event_id>/delete/",
        views.life_event_delete,
        name="life_event_delete",
    ),
]
