"""The support network: supporters, contacts, peer groups, meetings, community, map and gaps."""

from django.urls import path

from . import reminder_views, views

app_name = "supports"

urlpatterns = [
    path("", views.index, name="index"),
    path("reached-out/<str:token>/", reminder_views.reached_out, name="reached_out"),
    path("supporters/new/", views.supporter_create, name="supporter_create"),
    path("supporters/archived/", views.supporter_archived, name="supporter_archived"),
    path("supporters/<id:pk>/", views.supporter_detail, name="supporter_detail"),
    path("supporters/<id:pk>/edit/", views.supporter_edit, name="supporter_edit"),
    path("supporters/<id:pk>/archive/", views.supporter_archive, name="supporter_archive"),
    path("supporters/<id:pk>/restore/", views.supporter_restore, name="supporter_restore"),
    path("supporters/<id:pk>/contacts/new/", views.contact_create, name="supporter_contact_create"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<id:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<id:pk>/", views.group_detail, name="group_detail"),
    path("groups/<id:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<id:pk>/attend/", views.group_attend, name="group_attend"),
    path("groups/<id:pk>/archive/", views.group_archive, name="group_archive"),
    path("groups/<id:pk>/restore/", views.group_restore, name="group_restore"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/import/", views.meeting_import, name="meeting_import"),
    path("meetings/<id:pk>/join/", views.meeting_join, name="meeting_join"),
    path("community/", views.community_list, name="community_list"),
    path("community/<id:pk>/edit/", views.community_edit, name="community_edit"),
    path("community/<id:pk>/delete/", views.community_delete, name="community_delete"),
    path("map/", views.support_map, name="map"),
    path("gaps/", views.gaps, name="gaps"),
    path("snapshots/new/", views.snapshot_create, name="snapshot_create"),
]
