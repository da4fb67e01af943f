"""Settings for Recovery Network.

One flat module. Every value a deployment may need to change is read from an
environment variable through the tiny helpers below, and each one is listed in
the README's configuration table. With nothing set, the app runs on an embedded
default (SQLite, a filesystem Celery broker, emails written to var/mail) so a
newcomer can start it with a single command.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

# Where the embedded default keeps its files: the SQLite database, the
# filesystem broker's queues, emails written in development, beat's schedule.
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")

DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")

if DEBUG:
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
else:
    # Production refuses to start on a guessable key or an open host list:
    # a leaked default key would let anyone forge sessions and sign links.
    if (
        len(SECRET_KEY) < 50
        or SECRET_KEY == DEV_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
        or len(set(SECRET_KEY)) < 5
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list this site's host names when DEBUG is off.")

# Links in emails and calendar feeds. In development the default follows the port `dev.py run` serves on
# (`PORT=8001 python3 dev.py run`), so an emailed link opens the app that sent it.
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{envint('PORT', 8000)}").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Recovery Network")

_site = urlsplit(SITE_URL)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [f"{_site.scheme}://{_site.netloc}"])

INSTALLED_APPS = [
    "recovery_network.apps.AdminConfig",  # Django's admin with our site (recovery_network/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "recovery_network",
    "recovery_network.notifications",
    "supports",
    "milestones",
    "recovery_network.capital",
    "recovery_network.care",
    "recovery_network.review",
    "recovery_network.learning",
    "recovery_network.welcome",
    "recovery_network.reach",
    "recovery_network.privacy",
]

MIDDLEWARE = [
    "recovery_network.middleware.RequestLogMiddleware",  # first: one log line for every request, with its time
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: private, no-store; outside the rest, so a response they make (CommonMiddleware's
    # redirect to the address with a slash) gets it too.
    "recovery_network.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language before sign-in: the language cookie (the switch on the sign-in pages), else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "recovery_network.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, its header built once
    "allauth.account.middleware.AccountMiddleware",
    "recovery_network.middleware.UserSessionsMiddleware",  # allauth's, throttled to once a minute
    "recovery_network.middleware.UserTimezoneMiddleware",
    "recovery_network.middleware.UserLanguageMiddleware",  # signed in: the language chosen in their profile
]

ROOT_URLCONF = "recovery_network.urls"
# bench/http_bench.py serves a bare view beside the pages, behind the same
# middleware, as the ceiling they are measured against; never in production.
if envbool("BENCH_BARE_VIEW", False):
    ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "recovery_network.wsgi.application"
ASGI_APPLICATION = "recovery_network.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recovery_network.context_processors.site",
                "recovery_network.context_processors.notifications",
                "recovery_network.context_processors.page_cache",
                "recovery_network.context_processors.script_strings",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user:pass@host:5432/name) or the embedded SQLite file.
# Forms render their fields and widgets through Django's Jinja2 form templates: half the CPU (the class says).
FORM_RENDERER = "recovery_network.forms.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has web, worker and beat writing one file: WAL lets
    # readers and a writer work together, IMMEDIATE transactions take the write
    # lock up front, and the timeout waits for it instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "recovery_network.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Short, so an unreachable Redis is known at once and the cache misses (recovery_network/cache.py).
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What templates' {% cache … using=page_cache %} use when PAGE_CACHE is off: nothing kept.
CACHES["off"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
# Sessions are read from the cache and written through to the database, so a signed-in request
# costs a Redis GET instead of a query. Ending a session (sign out, the device list, a password
# change) deletes both. Only with Redis: a per-process cache would keep serving a session that
# another process ended.
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if REDIS_URL else 'db'}"
# Rendered parts of pages kept in the cache under keys naming what they show ({% cache %} in templates,
# recovery_network.page_cache); 0 renders every request.
PAGE_CACHE = envbool("PAGE_CACHE", True)

AUTH_USER_MODEL = "recovery_network.User"
AUTHENTICATION_BACKENDS = [
    # allauth's, under the path sessions signed in since 26 November 2026 name (recovery_network/backends.py).
    # A failed sign-in stops there, so the password is hashed once.
    "recovery_network.backends.AuthenticationBackend",
    # Sessions signed in before 26 November 2026 name one of these two: drop them on 10 December 2026,
    # when those have expired (SESSION_COOKIE_AGE, two weeks).
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
# f(user) -> a URL or None: where signing in leads when no `next` says (the first run of a new account).
# A dotted path, as the home sections are: the welcome app sits above the core's adapter.
AFTER_SIGN_IN = "recovery_network.welcome.services.url_after_sign_in"

# django-allauth: email only, verified before first use, with TOTP two-factor.
ACCOUNT_ADAPTER = "recovery_network.adapters.AccountAdapter"  # a malformed `next` or X-Forwarded-For is no 500
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "recovery_network.forms.SignupProfileForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = _site.scheme or "https"
ACCOUNT_REAUTHENTICATION_TIMEOUT = envint("REAUTHENTICATION_TIMEOUT", 300)
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_PRESERVE_USERNAME_CASING = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
USERSESSIONS_TRACK_ACTIVITY = True

# The languages a person may choose (profile, sign-in and sign-up pages); English is the source and the default.
# Catalogues live in locale/ (`python3 dev.py messages` extracts and compiles them; the .mo files are built, not kept).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
# The server's zone; every person's own zone lives on their profile and is
# activated per request by UserTimezoneMiddleware.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: written to files under var/mail by default so a developer can read them.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
# Text messages (django-sms, configured as the email backend is): written to var/sms/ unless a provider is set,
# e.g. SMS_BACKEND=sms.backends.twilio.SmsBackend with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "sms.backends.filebased.SmsBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH") or str(VAR_DIR / "sms")
DEFAULT_FROM_SMS = os.environ.get("DEFAULT_FROM_SMS", "")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", bool(EMAIL_HOST) and EMAIL_PORT == 587)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Recovery Network <noreply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Security. Production (DEBUG off) is HTTPS-only behind a proxy that sets
# X-Forwarded-Proto; `manage.py check --deploy` is clean with these values.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/web$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Who the client is, behind the proxy: allauth keys its rate limits (sign-in, password reset, codes) and the
# device list on the client's address. Unset, that is the proxy's own address, so everyone would share one
# bucket; set how many proxies append to X-Forwarded-For (1 for a single proxy), or the header a proxy sets
# alone (e.g. X-Real-IP), never both. check --deploy warns while neither is set (recovery_network/checks.py).
TRUSTED_PROXY_COUNT = os.environ.get("TRUSTED_PROXY_COUNT")
ALLAUTH_TRUSTED_PROXY_COUNT = int(TRUSTED_PROXY_COUNT or 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None

# Content-Security-Policy: only our own scripts and styles, no inline script.
# The QR code for two-factor setup is an SVG data: URI, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Celery. With no broker configured, kombu's filesystem transport keeps the
# queue in var/broker so the worker runs with nothing else installed.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker" / "queue"
    _processed_dir = VAR_DIR / "broker" / "processed"
    # Broadcasts (worker control, e.g. `celery inspect`); kombu's default is ./control in the working directory.
    _control_dir = VAR_DIR / "broker" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
else:
    # Redis: a task not acknowledged within this time is handed to another worker. A Redis that is down or hung
    # costs a publish at most these timeouts (kombu's default is to wait for ever); what could not be queued is
    # in the database and queued by the next dispatch or sweep (notifications/tasks.py, reach/tasks.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
        "socket_connect_timeout": 0.5,
        "socket_timeout": 2.0,
    }
# Celery's default tries a publish four times over 0.6 s; a request should not wait on a broker that is away.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "recovery")
# Every task below the top priority, so an alert's messages (priority 0, recovery_network/reach/tasks.py) go
# ahead of a busy minute's reminder emails: behind 5 000 queued reminders an alert waited 13 s at p95, ahead of
# them 0.45 s (bench/alert_bench.py --reminders 5000). On Redis a priority is a list of its own (0 is the first).
CELERY_TASK_DEFAULT_PRIORITY = 5
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = envint("HEARTBEAT_INTERVAL_SECONDS", 60)
# A monitor sending "Authorization: Bearer <this>" to /healthz is told which part failed; empty: staff only.
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")
# /healthz fails (503) when the worker last beat longer ago than this, or work has waited longer than its limit
# (0: reported, never failing). Reminders are dispatched every minute, alert messages sent within seconds.
HEALTHZ_MAX_HEARTBEAT_AGE_SECONDS = envint("HEALTHZ_MAX_HEARTBEAT_AGE_SECONDS", 3 * HEARTBEAT_INTERVAL_SECONDS)
HEALTHZ_MAX_DISPATCH_LAG_SECONDS = envint("HEALTHZ_MAX_DISPATCH_LAG_SECONDS", 600)
HEALTHZ_MAX_ALERT_LAG_SECONDS = envint("HEALTHZ_MAX_ALERT_LAG_SECONDS", 120)
# (part of /healthz, f(now_utc) -> when the oldest due work began to wait or None, the setting of its limit):
# named as strings, as the core can't import the apps above it (recovery_network/health.py).
HEALTHZ_LAGS = [
    ("dispatch_lag", "recovery_network.notifications.dispatch.waiting_since", "HEALTHZ_MAX_DISPATCH_LAG_SECONDS"),
    ("alert_lag", "recovery_network.reach.sending.waiting_since", "HEALTHZ_MAX_ALERT_LAG_SECONDS"),
]
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "recovery_network.tasks.heartbeat",
        "schedule": float(HEARTBEAT_INTERVAL_SECONDS),
    },
    "clear-expired-sessions": {
        "task": "recovery_network.tasks.clear_expired_sessions",
        "schedule": 6 * 3600.0,
    },
    "dispatch-reminders": {
        "task": "recovery_network.tasks.dispatch_reminders",
        "schedule": float(envint("REMINDER_DISPATCH_INTERVAL_SECONDS", 60)),
    },
    "reconcile-reminders": {
        "task": "recovery_network.tasks.reconcile_reminders",
        "schedule": 900.0,
    },
    # Silence as a warning sign: people watched for "no check-in for N days" (recovery_network/care/warning_signs.py).
    "warning-signs": {
        "task": "recovery_network.care.tasks.sweep_silence",
        "schedule": 900.0,
    },
    # A safety net: an alert's next wave is queued for its deadline, and this catches one whose task was lost,
    # and any alert message left pending by a worker that died.
    "escalate-alerts": {
        "task": "recovery_network.reach.tasks.sweep_alerts",
        "schedule": float(envint("ALERT_SWEEP_INTERVAL_SECONDS", 30)),
    },
    # Your data (recovery_network/privacy/): exports whose task was lost, erasures past their grace period, and
    # the nightly retention sweep.
    "sweep-exports": {
        "task": "recovery_network.privacy.tasks.sweep_exports",
        "schedule": 300.0,
    },
    "erase-due": {
        "task": "recovery_network.privacy.tasks.erase_due",
        "schedule": 3600.0,
    },
    "apply-retention": {
        "task": "recovery_network.privacy.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
}

# Retention (recovery_network/privacy/retention.py, beat's "apply-retention" above): days a record is kept once
# it is done with, 0 for ever. Read notifications; finished deliveries (never fewer than 90 days: a delivery's
# row keeps its reminder from going out twice); the access log, six years by default (HIPAA's records period).
NOTIFICATION_RETENTION_DAYS = envint("NOTIFICATION_RETENTION_DAYS", 90)
DELIVERY_RETENTION_DAYS = envint("DELIVERY_RETENTION_DAYS", 90)
ACCESS_LOG_RETENTION_DAYS = envint("ACCESS_LOG_RETENTION_DAYS", 6 * 365 + 2)

# Reminders and notifications (the recovery_network.notifications app).
# A kind is a dotted path to a registry.Kind subclass in the feature app it belongs to; docs/DEVELOPING.md
# tells how to add one.
NOTIFICATION_KINDS = [
    "milestones.notification_kinds.DailyCheckIn",
    "milestones.notification_kinds.MilestoneToday",
    "recovery_network.capital.notification_kinds.CapitalCheckDue",
    "supports.notification_kinds.MeetingSoon",
    "supports.notification_kinds.ReachOut",
    "recovery_network.review.notification_kinds.NetworkReviewDue",
    "recovery_network.care.notification_kinds.CircleMilestone",
    "recovery_network.care.notification_kinds.CircleNews",
    "recovery_network.care.notification_kinds.EncouragementReceived",
    "recovery_network.learning.notification_kinds.LessonSuggested",
    "recovery_network.care.notification_kinds.CaseloadDigest",
    "recovery_network.care.notification_kinds.WarningSignKind",
    "recovery_network.care.consent_reminders.ConsentEnding",
    "recovery_network.care.consent_reminders.ConsentEndingCounselor",
]
REMINDER_DISPATCH_BATCH = envint("REMINDER_DISPATCH_BATCH", 2000)
# Extra dispatch tasks started on other workers in a minute with many due reminders.
REMINDER_DISPATCH_HELPERS = envint("REMINDER_DISPATCH_HELPERS", 3)
DELIVERY_TASK_BATCH = envint("DELIVERY_TASK_BATCH", 50)
DELIVERY_MAX_ATTEMPTS = envint("DELIVERY_MAX_ATTEMPTS", 5)
DELIVERY_RETRY_BASE_SECONDS = envint("DELIVERY_RETRY_BASE_SECONDS", 30)
# A worker's claim on a delivery outlives the task time limit, so when it ends the worker is gone.
DELIVERY_LEASE_SECONDS = envint("DELIVERY_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 60)
REACH_OUT_LINK_MAX_AGE_DAYS = envint("REACH_OUT_LINK_MAX_AGE_DAYS", 7)

# Reach out now (recovery_network/reach/): "I need support now" and the people who agreed to be alerted.
# How many are alerted at once, and how long an alert waits for an answer before the next ones are.
ALERT_WAVE_SIZE = envint("ALERT_WAVE_SIZE", 3)
ALERT_ANSWER_MINUTES = envint("ALERT_ANSWER_MINUTES", 10)
# At most this many alerts an hour per person; beyond, the page says so and shows the crisis lines.
ALERT_MAX_PER_HOUR = envint("ALERT_MAX_PER_HOUR", 3)
# How long the links in an alert and in a request to be there keep working.
ALERT_LINK_MAX_AGE_HOURS = envint("ALERT_LINK_MAX_AGE_HOURS", 24)
ALERT_REQUEST_MAX_AGE_DAYS = envint("ALERT_REQUEST_MAX_AGE_DAYS", 30)
# Someone is waiting: an alert's message claimed by a worker that died is sent by another after this lease (its
# task is killed after ALERT_SEND_TIME_LIMIT), and a failed send is retried after 5 s, 20 s, 80 s…
ALERT_SEND_TIME_LIMIT = envint("ALERT_SEND_TIME_LIMIT", 60)
ALERT_SEND_LEASE_SECONDS = envint("ALERT_SEND_LEASE_SECONDS", ALERT_SEND_TIME_LIMIT + 30)
ALERT_RETRY_BASE_SECONDS = envint("ALERT_RETRY_BASE_SECONDS", 5)
REMINDER_EMAIL_SUBJECT = os.environ.get("REMINDER_EMAIL_SUBJECT", f"A note from {SITE_NAME}")

# Learning to help (recovery_network/learning/): the family course's lesson files, Markdown with front matter.
LESSONS_DIR = Path(os.environ.get("LESSONS_DIR", BASE_DIR / "recovery_network" / "learning" / "lessons"))

# The signed-in home page is made of sections contributed by each app: dotted
# paths to functions f(user) -> {"template": ..., **context} or None.
HOME_SECTIONS = [
    # A new person's first run ("Continue setting up") until it is finished or hidden.
    "recovery_network.welcome.home.section",
    # Today first: the check-in and the clean-time count, then who to reach out to.
    "milestones.home.section",
    "supports.home.section",
    "recovery_network.care.home.circle_section",
]
# The people the account supports, a counselor's clients first (recovery_network/home.py).
HOME_SUPPORTING_SECTIONS = [
    "recovery_network.care.home.counselor_section",
    "recovery_network.care.home.family_section",
    # The family course: lessons suggested to them, and the next one.
    "recovery_network.learning.home.section",
]

# Crisis lines shown on every page's "Get help now" page. A deployment in
# another country replaces them with a JSON list in CRISIS_RESOURCES, e.g.
# [{"name": "Samaritans", "detail": "Free, 24/7", "call": "116 123"}]. An entry's "translations" gives its words
# (and, where a line answers in that language on another number, its numbers) per language code.
CRISIS_RESOURCES = json.loads(os.environ.get("CRISIS_RESOURCES") or "null") or [
    {
        "name": "988 Suicide & Crisis Lifeline",
        "detail": "Call or text 988, any time. Free and confidential.",
        "call": "988",
        "text": "988",
        "translations": {
            "es": {
                "name": "988 Línea de Prevención del Suicidio y Crisis",
                "detail": "Llama al 988 y marca 2 para hablar en español, o envía AYUDA por mensaje de texto al "
                "988. A cualquier hora, gratis y confidencial.",
            },
        },
    },
    {
        "name": "SAMHSA National Helpline",
        "detail": "Treatment referral and information. Free, confidential, 24/7, 365 days a year.",
        "call": "1-800-662-4357",
        "translations": {
            "es": {
                "name": "Línea Nacional de Ayuda de SAMHSA",
                "detail": "Información y referencias a tratamiento, en inglés y en español. Gratis, confidencial, "
                "las 24 horas, los 365 días del año.",
            },
        },
    },
    {
        "name": "Emergency services",
        "detail": "If you or someone else is in immediate danger or has overdosed.",
        "call": "911",
        "translations": {
            "es": {
                "name": "Servicios de emergencia",
                "detail": "Si tú u otra persona está en peligro inmediato o ha tenido una sobredosis.",
            },
        },
    },
]

# json: one JSON object a line (python-json-logger), the default in production, with a line for each request
# and each Celery task (recovery_network/logs.py); text for reading in a terminal, the default in development.
# Either way no line carries a path, a query string or an email address.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"private": {"()": "recovery_network.logs.PrivateFilter"}},
    "formatters": {
        "json": {"()": "recovery_network.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["private"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
