from django.urls import path

from . import views

app_name = "milestones"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/<date:day>/", views.checkin_day, name="checkin_day"),
    path("checkin/supporters/", views.checkin_find, {"name": "supporters"}, name="checkin_supporters"),
    path("checkin/groups/", views.checkin_find, {"name": "groups"}, name="checkin_groups"),
    path("checkins/", views.checkin_history, name="checkins"),
    path("checkins/<date:day>/", views.checkin_detail, name="checkin_detail"),
    path("journeys/new/", views.journey_create, name="journey_create"),
    path("journeys/<id:pk>/", views.journey_detail, name="journey"),
    path("journeys/<id:pk>/edit/", views.journey_edit, name="journey_edit"),
    path("journeys/<id:pk>/setback/", views.setback_create, name="setback_create"),
    path("journeys/<id:pk>/celebrate/<str:key>/", views.celebrate, name="celebrate"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<id:pk>/delete/", views.goal_delete, name="goal_delete"),
    path("goals/<id:pk>/celebrate/", views.goal_celebrate, name="goal_celebrate"),
    path("trends/", views.trends_page, name="trends"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<token:token>.ics", views.calendar_feed, name="calendar_feed"),
]
