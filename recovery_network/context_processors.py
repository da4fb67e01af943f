import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from . import crisis
from . import page_cache as pages

# The links every page's header, nav and footer carry. Reversed once per process (and
# script prefix): a dozen reverse() calls were half the cost of rendering base.html.
CHROME_URLS = [
    "home",
    "crisis",
    "profile",
    "supports:index",
    "care:circle",
    "care:caseload",
    "milestones:checkin",
    "milestones:overview",
    "notifications:index",
    "account_login",
    "account_logout",
    "account_signup",
    "offline",
    "service_worker",
    "manifest",
]


# Static files the layouts link, by name: {{ chrome_urls.care_css }}. Worked out once per process, as the
# manifest lookups of {% static %} cost a page about as much as its nav.
CHROME_STATIC = {
    "app_css": "css/app.css",
    "icon": "img/icon.svg",
    "app_js": "js/app.js",
    "offline_js": "js/offline.js",
    "apple_touch_icon": "img/icon-192.png",
    "supports_css": "css/supports.css",
    "milestones_css": "css/milestones.css",
    "milestones_js": "js/milestones.js",
    "map_js": "js/map.js",
    "notifications_css": "css/notifications.css",
    "care_css": "css/care.css",
    "care_js": "js/care.js",
}


@functools.cache
def _chrome_urls(script_prefix):
    urls = {name.replace(":", "_"): reverse(name) for name in CHROME_URLS}
    urls.update({key: static(path) for key, path in CHROME_STATIC.items()})
    return urls


# Which entry of the main navigation a page belongs to. An app's pages belong to its entry, except the
# counselor's pages (Caseload) and the daily check-in (Check in), named one by one as (namespace, URL name).
NAV_BY_APP = {
    "supports": "network",
    "review": "network",
    "milestones": "progress",
    "capital": "progress",
    "care": "circle",
    "notifications": "notifications",
}
NAV_BY_PAGE = {
    ("milestones", "checkin"): "checkin",
    ("care", "caseload"): "caseload",
    ("care", "client"): "caseload",
    ("care", "client_report"): "caseload",
    ("care", "client_recommend"): "caseload",
    ("care", "consent_records"): "caseload",
    ("care", "consent_request_create"): "caseload",
    ("review", "client_latest"): "caseload",
    ("review", "client_changes"): "caseload",
    ("", "home"): "home",
    ("", "profile"): "settings",
}


def nav_section(match):
    """The main navigation's entry for a resolved page ("" for none: an error page, allauth's pages)."""
    if match is None:
        return ""
    return NAV_BY_PAGE.get((match.namespace, match.url_name)) or NAV_BY_APP.get(match.namespace, "")


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CRISIS_RESOURCES": crisis.resources(),
        "chrome_urls": _chrome_urls(get_script_prefix()),
        "nav_section": nav_section(getattr(request, "resolver_match", None)),
    }


def page_cache(request):
    """What a template's {% cache %} needs besides the records it shows, to name everything it shows:

        {% cache 960 home user.pk user.data_version local_today user.time_zone quarter RELEASE using=page_cache %}

    `quarter` (the UTC quarter hour: what changes with the clock alone, a supporter falling due,
    shows within fifteen minutes), `RELEASE` (our templates, code and catalogues as deployed, and the active
    language) and the cache to
    use (none with PAGE_CACHE off). The view gives the rest: the people whose records it shows and
    their versions, the local date, the reader's zone (dates render in it), scopes, a sort.
    """
    return {
        "quarter": pages.bucket(),
        # The release and the language the part is rendered in: a Spanish reader never gets an English part.
        "RELEASE": f"{pages.RELEASE_FINGERPRINT}-{translation.get_language()}",
        "page_cache": "default" if settings.PAGE_CACHE else "off",
    }


def notifications(request):
    """The unread count for the nav, from the signed-in user's row: no query of its own."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": user.unread_notifications}


def script_strings(request):
    """The words our scripts show (static/js), in the reader's language, for base.html's <script type=
    "application/json" id="script-strings"> (data, not code: the Content-Security-Policy allows it). Counted
    phrases come in their forms, "%(count)s" standing for the number."""
    return {
        "script_strings": {
            "map_zoomed": gettext("Zoomed in. Scroll or swipe the map to see the rest of it."),
            "map_whole_zoom": gettext("The whole map. Zoom in to read it."),
            "map_whole": gettext("The whole map."),
            "copied": gettext("Copied."),
            "search_retry": gettext("Searching didn't work just now. Please try again."),
            "kept_one": ngettext(
                "%(count)s check-in is kept on this phone and will be sent when you're back online.",
                "%(count)s check-ins are kept on this phone and will be sent when you're back online.",
                1,
            ),
            "kept_other": ngettext(
                "%(count)s check-in is kept on this phone and will be sent when you're back online.",
                "%(count)s check-ins are kept on this phone and will be sent when you're back online.",
                2,
            ),
            "kept_now": gettext(
                "No connection: your check-in is kept on this phone and will be sent when you're back online."
            ),
            "sent_one": ngettext(
                "Your check-in kept on this phone has been sent.",
                "%(count)s check-ins kept on this phone have been sent.",
                1,
            ),
            "sent_other": ngettext(
                "Your check-in kept on this phone has been sent.",
                "%(count)s check-ins kept on this phone have been sent.",
                2,
            ),
            "too_old": gettext(
                "A check-in kept on this phone couldn't be saved (it was more than a week old). Please check in again."
            ),
        }
    }
