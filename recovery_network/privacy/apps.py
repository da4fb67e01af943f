from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "recovery_network.privacy"
    label = "privacy"
    verbose_name = "Your data"

    def ready(self):
        from . import receivers  # noqa: F401 — signing in during the grace period cancels an erasure
