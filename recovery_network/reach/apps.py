from django.apps import AppConfig


class ReachConfig(AppConfig):
    name = "recovery_network.reach"
    label = "reach"
    verbose_name = "Reach out now"

    def ready(self):
        from . import tasks  # noqa: F401 — queues what services.py announces (alerts_pending)
