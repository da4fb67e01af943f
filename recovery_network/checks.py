"""Deployment checks of our own, run by `manage.py check --deploy` beside Django's."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def client_address_behind_the_proxy(app_configs, **kwargs):
    """Production runs behind a TLS proxy (the README): unless told how to find the client's address there,
    every sign-in shares the proxy's rate-limit bucket, and one stranger's failures lock everyone out."""
    if settings.TRUSTED_PROXY_COUNT is not None or settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
        return []
    return [
        Warning(
            "Neither TRUSTED_PROXY_COUNT nor TRUSTED_CLIENT_IP_HEADER is set: behind a proxy, every person would "
            "share one sign-in rate-limit bucket.",
            hint="Set TRUSTED_PROXY_COUNT=1 behind one proxy that appends to X-Forwarded-For (or the number of "
            "such proxies), or TRUSTED_CLIENT_IP_HEADER to the header your proxy sets; TRUSTED_PROXY_COUNT=0 if "
            "nothing sits in front.",
            id="recovery_network.W001",
        )
    ]
