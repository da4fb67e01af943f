"""Production mode refuses bad configuration and passes Django's deployment checklist.

Each case starts a fresh interpreter, because settings are read once at start-up.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(60)


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "recovery_network.settings", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "django-insecure-" + GOOD_KEY}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS must list"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list"),
    ],
)
def test_production_refuses_to_start_with_bad_config(env, message):
    result = manage("check", DEBUG="0", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deploy_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="recovery.example.org",
        SITE_URL="https://recovery.example.org",
        TRUSTED_PROXY_COUNT="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_checklist_asks_how_to_find_the_client_behind_the_proxy():
    production = {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "recovery.example.org"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode != 0 and "recovery_network.W001" in result.stderr + result.stdout
    for setting in ({"TRUSTED_PROXY_COUNT": "0"}, {"TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}):
        result = manage("check", "--deploy", **production, **setting)
        assert "recovery_network.W001" not in result.stderr + result.stdout, setting


def test_production_serves_hashed_static_files_through_whitenoise():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'], "
        "settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="recovery.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "True",
        "True",
        "31536000",
    ]


def test_default_settings_run_on_the_embedded_parts(tmp_path):
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], "
        "settings.CELERY_BROKER_URL, settings.EMAIL_BACKEND)",
        VAR_DIR=str(tmp_path),
        DATABASE_URL="",
        REDIS_URL="",
        CELERY_BROKER_URL="",
        EMAIL_HOST="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.mail.backends.filebased.EmailBackend",
    ]
    assert (tmp_path / "broker" / "queue").is_dir()


def test_the_proxy_settings_reach_allauths_client_address():
    code = (
        "from django.conf import settings; "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    assert manage("shell", "--no-imports", "-c", code, TRUSTED_PROXY_COUNT="2").stdout.split() == ["2", "None"]
    header = manage("shell", "--no-imports", "-c", code, TRUSTED_CLIENT_IP_HEADER="X-Real-IP").stdout.split()
    assert header == ["0", "X-Real-IP"]
