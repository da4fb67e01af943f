"""Your data, under /privacy/: download everything, import an export, erase everything."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export_request, name="export"),
    path("export/<id:pk>/", views.export_status, name="export_status"),
    path("export/<id:pk>/live/", views.export_live, name="export_live"),
    path("export/<id:pk>/download/", views.export_download, name="export_download"),
    path("erase/", views.erase, name="erase"),
    path("erase/requested/", views.erase_requested, name="erase_requested"),
    path("import/", views.import_upload, name="import"),
]
