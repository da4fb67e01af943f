"""What lets a phone install the app and keep it in reach without a connection: the web manifest and the service
worker. The page it shows offline is milestones' (offline_views.py).

Both are served by views rather than as static files: the manifest names the hashed icon files and the app's
addresses, and a service worker controls only the paths below its own URL, so it must be served from `/`.
"""

import functools
import hashlib
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import page_cache

THEME_COLOUR = "#1d5fa8"
BACKGROUND_COLOUR = "#fbfaf7"
# Kept in the phone's cache when the worker installs: the offline page's styles, scripts and icon.
PRECACHED_STATIC = [
    "css/app.css",
    "css/milestones.css",
    "js/app.js",
    "js/offline.js",
    "img/icon.svg",
    "icons/sprite.svg",
]


@functools.cache
def _manifest(language):
    """The manifest in `language` (the active one, which the words follow), kept per process and language."""
    return {
        "name": settings.SITE_NAME,
        "short_name": _("Recovery"),
        "description": _("Your support network, in reach at any hour."),
        "id": reverse("home"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("img/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": _("Check in"), "url": reverse("milestones:checkin")},
            {"name": _("Get help now"), "url": reverse("crisis")},
        ],
    }


@require_safe
def manifest(request):
    return JsonResponse(_manifest(get_language()), content_type="application/manifest+json")


@functools.cache
def _service_worker(language):
    """The worker's script, kept per process and language: its last-resort offline answer is in words."""
    precached = json.dumps([static(path) for path in PRECACHED_STATIC])
    # A new release or new static files make a new worker, which replaces the caches of the old one.
    version = hashlib.blake2b(f"{page_cache.RELEASE_FINGERPRINT} {precached}".encode(), digest_size=6).hexdigest()
    context = {
        "version": version,
        "offline_url": reverse("offline"),
        "static_prefix": settings.STATIC_URL,
        "precached": precached,
        # A JavaScript string literal; the page it stands in for (the offline page) lists the real crisis lines.
        "offline_message": json.dumps(_("You're offline. In crisis, call 988 or your local emergency number.")),
    }
    return render_to_string("recovery_network/service_worker.js", context)


@require_safe
def service_worker(request):
    response = HttpResponse(_service_worker(get_language()), content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on each visit once this is stale; never let a cache hold an old one.
    response["Cache-Control"] = "no-cache"
    return response
