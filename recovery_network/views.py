from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .forms import ProfileForm
from .home import home_sections


def index(request):
    """The landing page for newcomers; a signed-in person gets their home page."""
    if request.user.is_authenticated:
        return home(request)
    return render(request, "recovery_network/landing.html")


@login_required
def home(request):
    """The sections are worked out only when their cached rendering is missing: the template calls them."""
    user = request.user
    context = {"local_today": user.local_today(), "home_sections": lambda: home_sections(user)}
    return render(request, "recovery_network/home.html", context)


def crisis(request):
    return render(request, "recovery_network/crisis.html")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "recovery_network/profile.html", {"form": form})


@never_cache
@require_GET
def healthz(request):
    """200 or 503 for the load balancer; which part failed, and the worker's heartbeat, for operators only."""
    ok, parts = health.report()
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
