import sys

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .crisis import resources as crisis_resources
from .forms import ProfileForm
from .home import home_sections, supporting_sections
from .templatetags.icons import sprite_names

# A restart of PostgreSQL takes seconds; a person told to try again shouldn't wait long.
DATABASE_RETRY_AFTER_SECONDS = 10


def index(request):
    """The landing page for newcomers; a signed-in person gets their home page."""
    if request.user.is_authenticated:
        return home(request)
    return render(request, "recovery_network/landing.html")


@login_required
def home(request):
    """The sections are worked out only when their cached rendering is missing: the template calls them."""
    user = request.user
    context = {
        "local_today": user.local_today(),
        "home_sections": lambda: home_sections(user),
        "supporting_sections": supporting_sections(user),
    }
    return render(request, "recovery_network/home.html", context)


def crisis(request):
    return render(request, "recovery_network/crisis.html")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)  # the confirmation already in the language just chosen
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        # Signed out on this device, the sign-in pages keep the same language.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        return response
    return render(request, "recovery_network/profile.html", {"form": form})


@never_cache
@require_GET
def healthz(request):
    """200 or 503 for a monitor: every part, the worker's heartbeat and the lags; which part failed for operators
    only."""
    return _health_response(request, *health.report())


def healthz_web(request):
    """200 or 503 for the proxy: can this instance serve people (health.web_report)."""
    return _health_response(request, *health.web_report())


def _health_response(request, ok, parts):
    body = {"status": "ok" if ok else "unavailable"}
    if health.may_see_detail(request):
        body.update(parts)
    return JsonResponse(body, status=200 if ok else 503)


def moved(request, to, rest=""):
    """A page that moved (the circle of care from /network/ to /care/): a permanent redirect that keeps the query
    string and, as a 308, the method and body, so a form posted from a page opened before the move still does what
    it said. Links in emails already sent (an invitation) keep working."""
    url = to + rest
    if query := request.META.get("QUERY_STRING"):
        url = f"{url}?{query}"
    return HttpResponsePermanentRedirect(url, preserve_request=True)


# The style guide's colours: app.css's tokens (light and dark values there), and what each is for.
COLOURS = [
    ("--bg", "Page background"),
    ("--surface", "Cards, the header, table rows on a phone"),
    ("--text", "Text"),
    ("--muted", "Secondary text: hints, dates, column names"),
    ("--border", "Dividers and the edges of cards"),
    ("--accent", "Links, buttons, the current page"),
    ("--accent-text", "Text on the accent"),
    ("--accent-soft", "Tags, callouts, notes"),
    ("--success", "Done, on track"),
    ("--success-soft", "Behind success"),
    ("--warn", "Needs a look soon: overdue"),
    ("--warn-soft", "Behind a warning"),
    ("--danger", "A risk, an error, an action that removes"),
    ("--danger-soft", "Behind danger"),
    ("--help", "The crisis button"),
    ("--focus", "The keyboard focus ring"),
]
TYPE_SCALE = ["--text-sm", "--text-base", "--text-lg", "--text-xl", "--text-2xl", "--text-3xl"]
SPACE_SCALE = ["--space-1", "--space-2", "--space-3", "--space-4", "--space-5", "--space-6"]


class ExampleForm(forms.Form):
    """The style guide's form, shown bound with a mistake in it."""

    name = forms.CharField(label="What should we call you?", help_text="A first name or nickname is fine.")
    email = forms.EmailField(label="Email")
    note = forms.CharField(label="A note to yourself", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    remind = forms.BooleanField(label="Remind me each evening", required=False)

    def clean(self):
        raise forms.ValidationError("Nothing was saved: please check the fields below.")


def styleguide(request):
    """Every component of app.css, with its class names, and every icon of the sprite: for developers, in
    development only (DEBUG)."""
    if not settings.DEBUG:
        raise Http404
    context = {
        "colours": COLOURS,
        "type_scale": TYPE_SCALE,
        "space_scale": SPACE_SCALE,
        "icons": sprite_names(),
        "form": ExampleForm({"name": "Alex", "email": "alex at example", "remind": "on"}),
    }
    return render(request, "recovery_network/styleguide.html", context)


def server_error(request):
    """The 500 page (handler500). Django's own renders 500.html with an empty context; this one adds the crisis
    lines and the site's name from settings, and still no context processor: they read the session and the
    database, which may be what failed.

    A database that could not answer (PostgreSQL restarting, the session to it cut) is no bug: that is a 503 asking
    to try again in a moment, with Retry-After. Django closes the broken session as the request ends, so the next
    request opens a fresh one. Django calls this handler while handling the exception, as sys.exception().
    """
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "CRISIS_RESOURCES": crisis_resources(),
        "crisis_url": reverse("crisis"),
    }
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html", context))
