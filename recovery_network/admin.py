"""Accounts and deliveries: what staff need to run the site, and nothing of anyone's recovery.

Every page here that shows a person's records writes a line in their access log
(admin_site.PersonRecordsAdmin). allauth's own admins for email addresses, signed-in
devices and authenticators are replaced: an authenticator's secret is never shown, and
ending a device's session or removing an authenticator does what the person's own
pages do.
"""

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.base.internal.flows import delete_dangling_recovery_codes
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy

from .admin_site import PersonRecordsAdmin
from .models import Heartbeat, User


@admin.register(User)
class UserAdmin(PersonRecordsAdmin, BaseUserAdmin):
    record_name = "account"
    ordering = ["email"]
    list_display = ["email", "display_name", "time_zone", "is_staff", "date_joined"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            gettext_lazy("Profile"),
            {"fields": ["display_name", "time_zone", "checkin_time", "quiet_hours_start", "quiet_hours_end"]},
        ),
        (
            gettext_lazy("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (gettext_lazy("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def person_id(self, obj):
        return obj.pk

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        shown = (getattr(response, "context_data", None) or {}).get("original")
        if shown is not None:  # the form; a saved password is logged by log_change
            self.log_people(request, [shown])
        return response


class NoAddingOrEditing:
    """Records the app writes itself: staff may look at them, and delete where the class allows it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(PersonRecordsAdmin, NoAddingOrEditing, AllauthEmailAddressAdmin):
    """A person's addresses, to look at, mark verified (when a confirmation email went astray) or delete: an
    address added or changed here could take over the account through a password reset."""

    record_name = "email"

    def make_verified(self, request, queryset):
        self.log_changed(request, queryset.filter(verified=False), "_verified")
        super().make_verified(request, queryset)

    make_verified.short_description = AllauthEmailAddressAdmin.make_verified.short_description


admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(PersonRecordsAdmin, NoAddingOrEditing, admin.ModelAdmin):
    """The devices people are signed in on. Deleting one signs that device out, as the person's own list does."""

    record_name = "device"
    list_display = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    search_fields = ["user__email", "ip"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    readonly_fields = fields

    def delete_model(self, request, obj):
        obj.end()

    def delete_queryset(self, request, queryset):
        for session in queryset:
            session.end()


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(PersonRecordsAdmin, NoAddingOrEditing, admin.ModelAdmin):
    """Which second factors an account has, never their secrets (`data` holds the TOTP secret and the
    recovery codes' seed). Staff may remove one for someone who lost their phone; as when the person
    removes it, their recovery codes go with their last authenticator and their other sessions end."""

    record_name = "two_factor"
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def delete_model(self, request, obj):
        obj.delete()
        removed = [obj, delete_dangling_recovery_codes(obj.user)]
        for authenticator in filter(None, removed):
            authenticator_removed.send(
                sender=Authenticator, request=request, user=authenticator.user, authenticator=authenticator
            )

    def delete_queryset(self, request, queryset):
        for authenticator in queryset.select_related("user"):
            self.delete_model(request, authenticator)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_beat_at", "beats"]
    readonly_fields = ["name", "last_beat_at", "beats"]
