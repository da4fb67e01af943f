"""Learning to help: the family course, under /learn/."""

from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.lesson, name="lesson"),
]
