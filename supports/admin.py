from django.contrib import admin

from .models import Attendance, CommunityActivity, Contact, Meeting, MeetingTime, NetworkSnapshot, PeerGroup, Supporter


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
