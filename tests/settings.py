"""Test settings: the real settings with fast hashing and emails kept in memory."""

import os

os.environ.setdefault("DEBUG", "1")

from recovery_network.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test starts with empty caches, so allauth's rate limits never leak between tests.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "off": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
SMS_BACKEND = "sms.backends.locmem.SmsBackend"
