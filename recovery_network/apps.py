from django.apps import AppConfig


class RecoveryNetworkConfig(AppConfig):
    name = "recovery_network"
    verbose_name = "Recovery Network"
