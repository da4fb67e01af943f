from django.apps import AppConfig


class MilestonesConfig(AppConfig):
    name = "milestones"

    def ready(self):
        from . import signals  # noqa: F401 — keeps User.has_journey in step with the person's journeys
