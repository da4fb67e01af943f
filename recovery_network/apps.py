from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class RecoveryNetworkConfig(AppConfig):
    name = "recovery_network"
    verbose_name = "Recovery Network"

    def ready(self):
        from . import checks, logs, page_cache, two_factor  # noqa: F401 — checks registers itself

        page_cache.connect()
        two_factor.connect()
        logs.connect()


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site (admin_site.py): sign-in through allauth, two-factor, every look logged."""

    default = False  # listed by its path in INSTALLED_APPS; RecoveryNetworkConfig stays this app's config
    default_site = "recovery_network.admin_site.AdminSite"
