from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.index, name="index"),
    path("<id:pk>/open/", views.open_notification, name="open"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("pause/", views.pause, name="pause"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
