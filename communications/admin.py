"""Platform admin: read-only views of the ledger and settings, for support.
Tenant staff use the pages; rows are those of the tenant the platform admin
works in (tenancy.admin)."""

from django.contrib import admin

from tenancy.admin import platform_tenant_queryset

from .models import CalendarFeedToken, CommunicationSettings, ReminderDispatch


class ReadOnlyPlatformAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return platform_tenant_queryset(self.model)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommunicationSettings)
class CommunicationSettingsAdmin(ReadOnlyPlatformAdmin):
    list_display = [
        "tenant",
        "edit_window_hours",
        "cadence_platinum_days",
        "cadence_gold_days",
        "cadence_silver_days",
        "digest_hour",
    ]


@admin.register(ReminderDispatch)
class ReminderDispatchAdmin(ReadOnlyPlatformAdmin):
    list_display = [
        "tenant",
        "kind",
        "follow_up",
        "recipient",
        "due_at",
        "digest_date",
        "created_at",
        "emailed_at",
    ]
    list_filter = ["kind"]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request):
        return False
