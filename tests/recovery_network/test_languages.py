"""English and Spanish: a person's language chosen at sign-up (the switch or the browser's Accept-Language),
changed in the profile, and followed by every page, the cached parts of pages, reminders, emails, the crisis
lines and meeting types; the catalogue complete and current."""

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from milestones.notification_kinds import DailyCheckIn
from recovery_network.models import User
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.delivery import send_delivery
from recovery_network.notifications.dispatch import refresh_person
from recovery_network.notifications.models import Delivery, Notification
from supports import meeting_types
from supports.models import Meeting
from tests.milestones.factories import JourneyFactory
from tests.notifications.conftest import chicago

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"


def spanish(text):
    with translation.override("es"):
        return str(translation.gettext(text))


def html_lang(page):
    return re.search(r'<html lang="([^"]+)"', page).group(1)


# Choosing a language


def test_the_sign_in_page_follows_the_browser_and_the_switch(anon_client):
    page = anon_client.get(reverse("account_login")).content.decode()
    assert html_lang(page) == "en" and 'name="language" value="es" lang="es"' in page
    page = anon_client.get(reverse("account_login"), headers={"accept-language": "es-MX,es;q=0.9"}).content.decode()
    assert html_lang(page) == "es" and spanish("Language") in page
    client = Client()
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("account_login")})
    assert response.status_code == 302 and response.url == reverse("account_login")
    assert html_lang(client.get(reverse("account_login")).content.decode()) == "es"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert html_lang(client.get(reverse("account_login")).content.decode()) == "en"


def test_a_foreign_next_or_an_unknown_language_changes_nothing_harmful():
    client = Client()
    response = client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code in (302, 204) and "evil.example" not in response.get("Location", "")
    assert html_lang(client.get(reverse("account_login")).content.decode()) == "en"


def test_sign_up_takes_the_language_the_page_was_read_in(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    client = Client(headers={"accept-language": "es"})
    client.post(
        reverse("account_signup"),
        {"email": "lucia@example.org", "display_name": "Lucía", "time_zone": "America/Chicago",
         "password1": "quiet-harbor-morning-42", "password2": "quiet-harbor-morning-42"},
    )  # fmt: skip
    assert User.objects.get(email="lucia@example.org").language == "es"
    Client().post(
        reverse("account_signup"),
        {"email": "ann@example.org", "display_name": "Ann", "time_zone": "America/Chicago",
         "password1": "quiet-harbor-morning-42", "password2": "quiet-harbor-morning-42"},
    )  # fmt: skip
    assert User.objects.get(email="ann@example.org").language == "en"


def test_a_signed_in_person_reads_their_profiles_language_whatever_the_browser(owner, owner_client):
    page = owner_client.get("/", headers={"accept-language": "es"}).content.decode()
    assert html_lang(page) == "en"
    response = owner_client.post(
        reverse("profile"),
        {"display_name": owner.display_name, "language": "es", "time_zone": owner.time_zone, "checkin_time": "20:00",
         "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
    )  # fmt: skip
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    owner.refresh_from_db()
    assert owner.language == "es"
    page = owner_client.get(reverse("profile")).content.decode()
    assert html_lang(page) == "es" and spanish("Your profile is saved.") in page
    assert spanish("Your profile is saved.") != "Your profile is saved."


def test_an_unknown_language_in_the_profile_is_refused(owner, owner_client):
    response = owner_client.post(
        reverse("profile"),
        {"display_name": "Olive", "language": "xx", "time_zone": owner.time_zone, "checkin_time": "20:00"},
    )
    assert response.status_code == 200 and "xx is not one of the available choices" in response.content.decode()
    owner.refresh_from_db()
    assert owner.language == "en"


# Kept parts of pages


def test_every_kept_part_of_a_page_is_keyed_by_the_language():
    """RELEASE carries the active language; every {% cache %} in our templates names it."""
    missing = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for tag in re.findall(r"{%\s*cache\s[^%]*%}", re.sub(r"{#.*?#}", "", line))
        if "RELEASE" not in tag
    ]
    assert missing == []
    from recovery_network.context_processors import page_cache

    with translation.override("en"):
        english = page_cache(None)["RELEASE"]
    with translation.override("es"):
        assert page_cache(None)["RELEASE"] != english


def test_a_kept_page_is_not_served_to_a_reader_of_the_other_language(owner, owner_client):
    english = owner_client.get(reverse("care:circle")).content.decode()
    User.objects.filter(pk=owner.pk).update(language="es")  # no bump of data_version: only the language changes
    page = owner_client.get(reverse("care:circle")).content.decode()
    assert html_lang(page) == "es" and page != english
    assert spanish("Your circle of care") in page


# Messages to a person


@pytest.fixture
def lucia(owner):
    User.objects.filter(pk=owner.pk).update(language="es", checkin_time=dt.time(20, 30))
    owner.refresh_from_db()
    JourneyFactory(owner=owner, started_on=dt.date(2026, 1, 1))
    refresh_person(owner, now=chicago(2026, 6, 1, 12))
    return owner


def test_a_reminder_to_a_spanish_speaker_is_in_spanish(lucia, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent, before = [], translation.get_language()
    reminders.dispatch(now=chicago(2026, 6, 1, 20, 30), enqueue=sent.extend)
    note = Notification.objects.get(recipient=lucia)
    assert note.title == spanish("Time for your check-in") != "Time for your check-in"
    delivery = Delivery.objects.get(recipient=lucia, kind=DailyCheckIn.key)
    send_delivery(delivery.pk, now=chicago(2026, 6, 1, 20, 30))
    email = mail.outbox[-1]
    assert spanish("Time for your check-in") in email.body
    assert "Time for your check-in" not in email.body
    # Sending leaves the worker's language as it was.
    assert translation.get_language() == before


def test_an_english_speaker_still_hears_in_english(owner, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User.objects.filter(pk=owner.pk).update(checkin_time=dt.time(20, 30))
    owner.refresh_from_db()
    JourneyFactory(owner=owner, started_on=dt.date(2026, 1, 1))
    refresh_person(owner, now=chicago(2026, 6, 1, 12))
    with translation.override("es"):  # a worker whose own language is Spanish
        reminders.dispatch(now=chicago(2026, 6, 1, 20, 30), enqueue=[].extend)
    assert Notification.objects.get(recipient=owner).title == "Time for your check-in"


# The crisis lines and meeting types


def test_dates_read_as_the_readers_language_writes_them(owner, owner_client):
    """Weekdays and months in lower case mid-sentence, "de" between day, month and year, short months as Spanish
    shortens them; English as before."""
    with time_machine.travel(dt.datetime(2026, 12, 5, 18, 0, tzinfo=dt.UTC), tick=False):
        english = owner_client.get(reverse("home")).content.decode()
        owner.language = "es"
        owner.save(update_fields=["language"])
        spanish = owner_client.get(reverse("home")).content.decode()
        checkin = owner_client.get(reverse("milestones:checkin")).content.decode()
    assert "Saturday, 5 December 2026" in english
    assert "sábado 5 de diciembre de 2026" in spanish and "Sábado" not in spanish
    assert "sábado 5 de diciembre" in checkin
    with translation.override("es"):
        assert date_format(dt.date(2026, 12, 5), gettext("j M Y")) == "5 dic 2026"
    with translation.override("en"):
        assert date_format(dt.date(2026, 12, 5), gettext("j M Y")) == "5 Dec 2026"


def test_the_crisis_lines_speak_the_readers_language(anon_client):
    page = anon_client.get(reverse("crisis"), headers={"accept-language": "es"}).content.decode()
    assert "Llama al 988 y marca 2" in page and "Línea Nacional de Ayuda de SAMHSA" in page
    assert 'href="tel:988"' in page and 'href="tel:911"' in page
    page = anon_client.get(reverse("crisis")).content.decode()
    assert "988 Suicide &amp; Crisis Lifeline" in page and "Llama al" not in page


def test_meeting_types_are_named_as_the_meeting_guide_names_them():
    meeting = Meeting(slug="m", name="Serenity", types=["O", "D", "TC", "NOT-A-CODE"])
    assert meeting.type_names == ["Open", "Discussion"]
    with translation.override("es"):
        assert meeting.type_names == ["Abierta", "Discusión"]
        assert [str(name) for name in meeting_types.names(["S", "W", "BE"])] == ["Español", "Mujer", "Principiantes"]


# The catalogue


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext's msgfmt is not installed")
def test_the_spanish_catalogue_is_complete_and_valid():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext's xgettext is not installed")
def test_the_catalogue_holds_every_marked_string(tmp_path):
    """makemessages run afresh finds no msgid the committed catalogue lacks (`python3 dev.py messages`)."""
    from babel.messages.pofile import read_po

    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "staticfiles", "var"))
    (copy / "locale" / "es" / "LC_MESSAGES" / "django.po").unlink()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es",
         *[arg for pattern in ("tests/*", "bench/*", "docs/*", "staticfiles/*", "var/*") for arg in ("-i", pattern)]],
        cwd=copy, check=True, capture_output=True,
    )  # fmt: skip
    fresh = {message.id for message in read_po((copy / "locale/es/LC_MESSAGES/django.po").open("rb")) if message.id}
    kept = {message.id for message in read_po(PO.open("rb")) if message.id}
    assert sorted(map(str, fresh - kept)) == []


def test_every_email_template_renders_in_spanish():
    with translation.override("es"):
        body = render_to_string("emails/reminder.txt", {"message": {"title": "t", "body": "b"}, "SITE_NAME": "RN"})
    assert body.strip()
