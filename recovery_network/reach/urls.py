from django.urls import path

from . import views

app_name = "reach"

urlpatterns = [
    path("", views.now, name="now"),
    path("alerts/<id:pk>/", views.alert, name="alert"),
    path("alerts/<id:pk>/live/", views.alert_live, name="alert_live"),
    path("alerts/<id:pk>/close/", views.close, name="close"),
    path("history/", views.history, name="history"),
    path("people/", views.people, name="people"),
    path("people/ask/<id:supporter_pk>/", views.ask, name="ask"),
    path("people/<id:pk>/remove/", views.withdraw, name="withdraw"),
    path("people/<id:pk>/move/", views.move, name="move"),
    # Links that are keys, for supporters who may have no account.
    path("request/<str:token>/", views.request_page, name="request"),
    path("answer/<str:token>/", views.answer_page, name="answer"),
    path("stop/<str:token>/", views.stop_page, name="stop"),
]
