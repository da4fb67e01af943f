"""The shared meeting directory, and nothing else of this app.

Supporters, contacts, groups, attendance, community activity and the circle of care
are a person's own, shared only through `recovery_network.care.sharing` with a line in their
access log for every look: none of it is in the admin. A meeting someone uploaded is
their own list too, so only the directory (meetings with no owner) is here.
"""

from django.contrib import admin
from django.db import models
from django.http import Http404

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "fellowship", "weekdays", "start_time", "time_zone", "format"]
    list_filter = ["fellowship", "format", "temporarily_closed"]
    search_fields = ["name", "slug"]
    exclude = ["owner"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, asked for now

    def get_queryset(self, request):
        return super().get_queryset(request).filter(owner__isnull=True)

    def get_object(self, request, object_id, from_field=None):
        """A meeting outside the directory is someone's own: 404, as it is anywhere else for anyone but them."""
        meeting = super().get_object(request, object_id, from_field)
        if meeting is None:
            raise Http404("No meeting in the directory here.")
        return meeting
