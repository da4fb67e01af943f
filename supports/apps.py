from django.apps import AppConfig


class SupportsConfig(AppConfig):
    name = "supports"

    def ready(self):
        from . import circle_kinds  # noqa: F401 — its receivers listen to the sharing door's signals
