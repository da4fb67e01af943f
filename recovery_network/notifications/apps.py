from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The reminder and notification engine: kinds, dispatch, delivery, emails, the centre, the tasks."""

    name = "recovery_network.notifications"
    label = "notifications"
    verbose_name = "Reminders and notifications"

    def ready(self):
        from . import signals, tasks  # noqa: F401 — tasks listens for pending deliveries

        signals.connect()
