from django.apps import AppConfig


class WelcomeConfig(AppConfig):
    name = "recovery_network.welcome"
    label = "welcome"
    verbose_name = "First run"

    def ready(self):
        from . import receivers  # noqa: F401 — a new account gets its first run when it signs up
