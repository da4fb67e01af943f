"""The network review, under /network/review/."""

from django.urls import path

from . import changes_views, views  # noqa: F401

app_name = "review"

urlpatterns = [
    # The wizard's routes (views.py) go here.
    path("", views.start, name="start"),
    path("begin/", views.begin, name="begin"),
    path("<id:pk>/people/", views.people, name="people"),
    path("<id:pk>/groups/", views.groups, name="groups"),
    path("<id:pk>/community/", views.community, name="community"),
    path("<id:pk>/gaps/", views.gaps, name="gaps"),
    path("<id:pk>/finish/", views.finish, name="finish"),
    # What changed since the review before (changes_views.py): the owner's, and a counselor's with the map scope.
    path("<id:pk>/changes/", changes_views.changes, name="changes"),
    path("clients/<id:client_id>/", changes_views.client_latest, name="client_latest"),
    path("clients/<id:client_id>/<id:pk>/", changes_views.client_changes, name="client_changes"),
]
