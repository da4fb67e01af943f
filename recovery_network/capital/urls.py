from django.urls import path

from . import views

app_name = "capital"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("new/", views.new, name="new"),
]
