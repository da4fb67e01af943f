from django.contrib import admin

from .models import (
    AccessEvent,
    Attendance,
    CaseloadRoster,
    CaseloadView,
    CommunityActivity,
    Consent,
    Contact,
    Grant,
    Invitation,
    Meeting,
    MeetingTime,
    NetworkSnapshot,
    PeerGroup,
    RosterEntry,
    Supporter,
)


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "relationship", "closeness", "influence", "archived_at"]
    list_filter = ["relationship", "closeness", "influence"]
    raw_id_fields = ["owner", "linked_user"]
    search_fields = ["owner__email"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["supporter", "owner", "happened_at", "channel", "helpfulness"]
    raw_id_fields = ["owner", "supporter"]


class MeetingTimeInline(admin.TabularInline):
    model = MeetingTime
    extra = 0


@admin.register(PeerGroup)
class PeerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "fellowship", "format", "is_home_group", "archived_at"]
    raw_id_fields = ["owner", "sponsor", "meeting"]
    inlines = [MeetingTimeInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["group", "owner", "attended_on"]
    raw_id_fields = ["owner", "group"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "weekdays", "start_time", "time_zone", "format"]
    search_fields = ["name", "slug"]
    raw_id_fields = ["owner"]


@admin.register(CommunityActivity)
class CommunityActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "kind", "happened_on", "hours"]
    raw_id_fields = ["owner"]


@admin.register(NetworkSnapshot)
class NetworkSnapshotAdmin(admin.ModelAdmin):
    list_display = ["owner", "taken_on", "taken_at"]
    raw_id_fields = ["owner"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Sharing records are changed only through the app's services, so every change is logged."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "owner", "actor_name", "action", "what"]
    list_filter = ["action"]
    search_fields = ["owner__email", "actor_name"]


class RosterEntryInline(admin.TabularInline):
    model = RosterEntry
    fields = ["owner", "what"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CaseloadRoster)
class CaseloadRosterAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "counselor_name"]
    search_fields = ["counselor_name"]
    inlines = [RosterEntryInline]


@admin.register(CaseloadView)
class CaseloadViewAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "roster", "path"]
    list_select_related = ["roster"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["owner", "viewer", "created_at", "revoked_at"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["owner", "recipient_name", "organisation", "expires_on", "revoked_at"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["owner", "email", "role", "created_at", "expires_at", "accepted_at", "withdrawn_at"]
    exclude = ["nonce"]
