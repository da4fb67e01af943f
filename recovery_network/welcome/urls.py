"""The first run, under /welcome/: one page per step, named after the step (models.Step)."""

from django.urls import path

from . import views

app_name = "welcome"

urlpatterns = [
    path("", views.start, name="start"),
    path("later/", views.later, name="later"),
    path("dismiss/", views.dismiss, name="dismiss"),
    path("journey/", views.journey, name="journey"),
    path("people/", views.people, name="people"),
    path("group/", views.group, name="group"),
    path("check-in/", views.checkin, name="checkin"),
    path("sharing/", views.sharing, name="sharing"),
]
