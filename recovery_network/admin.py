from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Delivery, Heartbeat, Notification, Reminder, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "time_zone", "is_staff", "date_joined"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "time_zone", "checkin_time", "quiet_hours_start", "quiet_hours_end"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_beat_at", "beats"]
    readonly_fields = ["name", "last_beat_at", "beats"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every reminder sent or skipped; a failed email can be sent again with "resend"."""

    list_display = ["created_at", "kind", "recipient", "occurrence", "status", "skip_reason", "attempts", "sent_at"]
    list_filter = ["status", "kind", "skip_reason", "by_email", "in_app"]
    search_fields = ["recipient__email", "occurrence"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Resend the selected failed deliveries")
    def resend(self, request, queryset):
        from .notifications import resend
        from .tasks import enqueue_deliveries

        ids = resend(queryset)
        if ids:
            enqueue_deliveries(ids)
        self.message_user(request, f"{len(ids)} failed deliver{'y' if len(ids) == 1 else 'ies'} queued again.")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "subject_id", "occurrence", "due_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email"]
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Reminder._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email"]
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Notification._meta.fields]
