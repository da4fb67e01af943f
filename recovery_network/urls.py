from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.views.generic import RedirectView

from milestones import offline_views
from supports import reminder_views

from . import converters, offline, views

# Before the apps' URLs are read: every id in a path is <id:…>, every day <date:…>, every token looked up
# in the database <token:…> (converters.py).
register_converter(converters.IdConverter, "id")
register_converter(converters.DateConverter, "date")
register_converter(converters.TokenConverter, "token")

urlpatterns = [
    path("", views.index, name="home"),
    path("help/", views.crisis, name="crisis"),
    # Django's set_language (POST language, next): the switch on the sign-in and sign-up pages.
    path("i18n/", include("django.conf.urls.i18n")),
    path("profile/", views.profile, name="profile"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/web", views.healthz_web, name="healthz_web"),
    path("styleguide/", views.styleguide, name="styleguide"),  # development only: a 404 unless DEBUG
    # At the top so the worker may control every page (a service worker's scope is its URL's folder).
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/", offline_views.offline, name="offline"),
    # The circle of care lived under /network/ until it had an app of its own.
    re_path(r"^network/circle/(?P<rest>.*)$", views.moved, {"to": "/care/"}),
    re_path(r"^network/invitations/(?P<rest>.*)$", views.moved, {"to": "/care/join/"}),
    re_path(r"^network/(?P<rest>(?:people|helping|clients)/.*)$", views.moved, {"to": "/care/"}),
    path("network/review/", include("recovery_network.review.urls")),
    path("network/", include("supports.urls")),
    path("care/", include("recovery_network.care.urls")),
    path("progress/capital/", include("recovery_network.capital.urls")),
    path("progress/", include("milestones.urls")),
    path("welcome/", include("recovery_network.welcome.urls")),
    path("reach/", include("recovery_network.reach.urls")),
    path("privacy/", include("recovery_network.privacy.urls")),
    path("learn/", include("recovery_network.learning.urls")),
    # Where "I reached out" lived before it moved to supports: links in emails already sent still work.
    path("notifications/reached-out/<str:token>/", reminder_views.reached_out),
    path("notifications/", include("recovery_network.notifications.urls")),
    path("accounts/", include("allauth.urls")),
    # The deliveries' admin pages from before the engine had an app of its own (staff bookmarks).
    re_path(
        r"^admin/recovery_network/delivery/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/notifications/delivery/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
]

# 403.html and 404.html render with the request as Django's own handlers give it; the 500 page can't count on it.
handler500 = views.server_error
