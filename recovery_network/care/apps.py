from django.apps import AppConfig


class CareConfig(AppConfig):
    """The circle of care: grants, invitations, consents, the access log, caseloads, recommendations, encouragement
    sent, and the family's and counselors' pages."""

    name = "recovery_network.care"
    label = "care"
    verbose_name = "Circle of care"

    def ready(self):
        from . import (
            notification_kinds,  # noqa: F401 — its receivers listen to the sharing door's signals
            roles,  # noqa: F401 — keeps each account's circle roles on its row
            warning_signs,  # noqa: F401 — a check-in saved is evaluated for the signs the person shares
        )
