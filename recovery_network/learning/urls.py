"""Learning to help: the family course, under /learn/."""

from django.urls import path

from . import suggestions, views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    # Lessons passed on (before the lesson pattern, whose slug would take these words).
    path("suggest/", suggestions.suggest, name="suggest"),
    path("suggest/<id:pk>/withdraw/", suggestions.withdraw, name="withdraw"),
    path("suggested/<id:pk>/set-aside/", suggestions.set_aside, name="set_aside"),
    path("suggested/<id:pk>/bring-back/", suggestions.bring_back, name="bring_back"),
    path("clients/<id:owner_id>/suggest/", suggestions.for_client, name="for_client"),
    path("<slug:slug>/", views.lesson, name="lesson"),
]
