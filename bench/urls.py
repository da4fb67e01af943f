"""The site's URLs plus a bare view, served only when BENCH_BARE_VIEW is on (see settings)."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """The ceiling: what a request costs with the middleware and nothing of ours behind it."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("recovery_network.urls")),
]
