from django.apps import AppConfig


class SupportsConfig(AppConfig):
    name = "supports"
