from django.contrib import admin
from django.urls import include, path

from . import views

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
