from django.contrib import admin
from django.urls import include, path, register_converter

from . import converters, views

# Before the apps' URLs are read: every id in a path is <id:…>, every day <date:…>, every token looked up
# in the database <token:…> (converters.py).
register_converter(converters.IdConverter, "id")
register_converter(converters.DateConverter, "date")
register_converter(converters.TokenConverter, "token")

urlpatterns = [
    path("", views.index, name="home"),
    path("help/", views.crisis, name="crisis"),
    path("profile/", views.profile, name="profile"),
    path("healthz", views.healthz, name="healthz"),
    path("network/", include("supports.urls")),
    path("progress/", include("milestones.urls")),
    path("notifications/", include("recovery_network.notification_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
