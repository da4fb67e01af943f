"""The site's administration: who may enter it, and the line each look at a person's records leaves.

Staff sign in where everyone signs in, at allauth's login, so its rate limits and its
two-factor stage apply; the admin's own login page never takes a password (a staff
session could otherwise sign in as another staff account without their code). Every
admin request also asks that this session passed a second factor (`two_factor.verified`):
a staff password alone, or a session from before TOTP was turned on, opens nothing.

The admin holds operations only: accounts, deliveries and the meeting directory. Where a
page shows someone's records, `PersonRecordsAdmin` writes a line in that person's access
log ("who has seen my data"), naming the staff member, as any other look at their data does.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from recovery_network.care import log_lines, sharing
from recovery_network.care.models import AccessEvent

from . import params, two_factor


class AdminSite(admin.AdminSite):
    @property
    def site_header(self):
        return gettext("%(site)s administration") % {"site": settings.SITE_NAME}

    @property
    def site_title(self):
        return gettext("%(site)s administration") % {"site": settings.SITE_NAME}

    def has_permission(self, request):
        return super().has_permission(request) and two_factor.verified(request)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """Never a password form, whatever the method: the account login is the one way in."""
        next_url = self._next_url(request)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        if not two_factor.verified(request):
            return self.two_factor_required(request, next_url)
        return HttpResponseRedirect(next_url)

    def two_factor_required(self, request, next_url):
        """A staff member whose session passed no second factor: how to set one up, or confirm with a code."""
        context = {
            **self.each_context(request),
            "title": gettext("Two-factor authentication required"),
            "has_totp": two_factor.account_has_totp(request.user),
            "next_url": next_url,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/two_factor_required.html", context, status=403)

    def autocomplete_view(self, request):
        """No admin here uses autocomplete; Django's would list people by any admin's search fields, unlogged."""
        raise PermissionDenied

    def password_change(self, request, extra_context=None):
        """allauth's, which asks for reauthentication and rate-limits the attempts."""
        return redirect("account_change_password")

    def get_log_entries(self, request):
        """The index's recent actions name only what the admin still holds: older ones may name a supporter."""
        held = ContentType.objects.get_for_models(*self._registry).values()
        return super().get_log_entries(request).filter(content_type__in=held)

    def _next_url(self, request):
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
            return next_url
        return reverse("admin:index", current_app=self.name)


class PersonRecordsAdmin:
    """A ModelAdmin whose rows are each one person's records: every page showing them is in that person's log.

    The change form, its history and the delete confirmation write a line for the
    person; a list page writes one line for each person on it, in one INSERT. A record
    added or changed is a "Changed" line, a deletion a "Deleted" one. A staff member
    looking at their own records writes nothing. Lists filter by their own filters only.
    """

    record_name = "record"  # what the person reads in their log: a key of care.log_lines.RECORDS
    person_field = "user"

    def person_id(self, obj):
        return getattr(obj, f"{self.person_field}_id")

    def log_changed(self, request, objs, note):
        """A line in each person's access log: staff changed their records (an admin action)."""
        self.log_people(request, objs, AccessEvent.Action.CHANGED, note)

    def log_people(self, request, objs, action=AccessEvent.Action.VIEWED, note=""):
        people = {self.person_id(obj) for obj in objs} - {request.user.pk}
        what = log_lines.line(f"admin{note}", record=self.record_name)
        sharing.log_each(people, request.user, action, what, request.path)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self.log_people(request, changelist.result_list)
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            self.log_people(request, [obj])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("object")
        if obj is not None:
            self.log_people(request, [obj])
        return response

    def render_delete_form(self, request, context):
        self.log_people(request, [context["object"]])
        return super().render_delete_form(request, context)

    def lookup_allowed(self, lookup, value, request=None):
        """Only the list's own filters and date drill-down: Django lets any field be filtered on, so a field
        left off the page (a delivery's occurrence, which names a milestone's day) could be read back a guess
        at a time. A drill-down year at the calendar's ends would overflow as Django bounds it (a 500)."""
        field, _, rest = lookup.partition("__")
        if self.date_hierarchy and field == self.date_hierarchy:
            highest = {"year": 9998, "month": 12, "day": 31}.get(rest)
            return highest is not None and params.integer(value, 2 if rest == "year" else 1, highest) is not None
        filters = {item if isinstance(item, str) else item[0] for item in self.list_filter}
        return field in filters and super().lookup_allowed(lookup, value, request)

    def log_addition(self, request, obj, message):
        self.log_people(request, [obj], AccessEvent.Action.CHANGED, "_added")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self.log_people(request, [obj], AccessEvent.Action.CHANGED if message else AccessEvent.Action.VIEWED)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        self.log_people(request, queryset, AccessEvent.Action.DELETED)
        return super().log_deletions(request, queryset)

    def get_deleted_objects(self, objs, request):
        """What a deletion takes with it, named only as far as the admin itself shows it.

        Django lists every related row by name: for an account, that would be the
        person's supporters, journeys and check-ins. Rows of models the admin holds
        are listed by count; the rest is one line that names and counts nothing.
        """
        _, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        held = {str(model._meta.verbose_name_plural) for model in self.admin_site._registry}
        counted = {name: count for name, count in model_count.items() if str(name) in held}
        listed = [f"{capfirst(obj._meta.verbose_name)}: {obj}" for obj in objs]
        if len(counted) < len(model_count):
            listed.append(gettext("Related records the administration does not show (not listed)"))
        return listed, counted, perms_needed, [gettext("Records the administration does not show")] if protected else []
