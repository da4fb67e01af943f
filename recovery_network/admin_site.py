"""The site's administration: who may enter it.

Staff sign in where everyone signs in, at allauth's login, so its rate limits and its
two-factor stage apply; the admin's own login page never takes a password (a staff
session could otherwise sign in as another staff account without their code). Every
admin request also asks that this session passed a second factor (`two_factor.verified`):
a staff password alone, or a session from before TOTP was turned on, opens nothing.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import two_factor


class AdminSite(admin.AdminSite):
    site_header = f"{settings.SITE_NAME} administration"
    site_title = f"{settings.SITE_NAME} administration"

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
            "title": "Two-factor authentication required",
            "has_totp": two_factor.account_has_totp(request.user),
            "next_url": next_url,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/two_factor_required.html", context, status=403)

    def password_change(self, request, extra_context=None):
        """allauth's, which asks for reauthentication and rate-limits the attempts."""
        return redirect("account_change_password")

    def _next_url(self, request):
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
            return next_url
        return reverse("admin:index", current_app=self.name)
