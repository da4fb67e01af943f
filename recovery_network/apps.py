from django.apps import AppConfig


class RecoveryNetworkConfig(AppConfig):
    name = "recovery_network"
    verbose_name = "Recovery Network"

    def ready(self):
        from . import checks, page_cache, signals, two_factor  # noqa: F401 — checks registers itself

        signals.connect()
        page_cache.connect()
        two_factor.connect()
