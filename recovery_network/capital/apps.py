from django.apps import AppConfig


class CapitalConfig(AppConfig):
    name = "recovery_network.capital"
    label = "capital"
    verbose_name = "Recovery capital"
