"""The engine's records in the admin: every delivery, and resending a failed one."""

from django.contrib import admin

from recovery_network.admin import NoAddingOrEditing
from recovery_network.admin_site import PersonRecordsAdmin

from .delivery import announce, resend
from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(PersonRecordsAdmin, NoAddingOrEditing, admin.ModelAdmin):
    """Every reminder sent or skipped; a failed email can be sent again with "resend".

    The occurrence is left out: a milestone's names the day clean time began.
    """

    record_name = "delivery"
    person_field = "recipient"
    list_display = ["created_at", "kind", "recipient", "status", "skip_reason", "attempts", "sent_at"]
    list_filter = ["status", "kind", "skip_reason", "by_email", "in_app"]
    search_fields = ["recipient__email"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    fields = [
        "created_at",
        "kind",
        "recipient",
        "status",
        "skip_reason",
        "by_email",
        "in_app",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "acted_at",
    ]
    readonly_fields = fields
    actions = ["resend"]

    @admin.action(description="Resend the selected failed deliveries")
    def resend(self, request, queryset):
        ids = resend(queryset)
        if ids:
            announce(ids)
            resent = Delivery.objects.filter(pk__in=ids).only("recipient_id")
            self.log_changed(request, resent, "_sent_again")
        self.message_user(request, f"{len(ids)} failed deliver{'y' if len(ids) == 1 else 'ies'} queued again.")
