from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class WelcomeConfig(AppConfig):
    name = "recovery_network.welcome"
    label = "welcome"
    verbose_name = gettext_lazy("First run")

    def ready(self):
        from . import receivers  # noqa: F401 — a new account gets its first run when it signs up
