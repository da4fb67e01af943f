from django.contrib import admin

from .models import CalendarFeed, CheckIn, Encouragement, Journey, PersonalGoal, Setback


class SetbackInline(admin.TabularInline):
    model = Setback
    extra = 0
    fields = ["happened_on", "restart_on", "previous_started_on"]
    readonly_fields = fields
    can_delete = False  # history is never erased, not even from the admin


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "kind", "first_started_on", "started_on"]
    list_filter = ["kind"]
    search_fields = ["owner__email", "own_words"]
    raw_id_fields = ["owner"]
    inlines = [SetbackInline]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    has_add_permission = staticmethod(lambda request: False)
    # Operators see that a day was logged, not how the person felt.
    list_display = ["owner", "local_date", "created_at"]
    fields = ["owner", "local_date", "created_at"]
    readonly_fields = fields
    search_fields = ["owner__email"]
    date_hierarchy = "local_date"


@admin.register(PersonalGoal)
class PersonalGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "days", "on_date"]
    raw_id_fields = ["owner", "journey"]


@admin.register(Encouragement)
class EncouragementAdmin(admin.ModelAdmin):
    has_add_permission = staticmethod(lambda request: False)
    list_display = ["owner", "received_on"]
    fields = ["owner", "received_on", "milestone_key"]
    readonly_fields = fields


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    has_add_permission = staticmethod(lambda request: False)
    list_display = ["owner", "created_at"]
    fields = ["owner", "created_at"]
    readonly_fields = fields
