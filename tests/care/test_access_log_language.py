"""The access log in its reader's language: a line is kept as its parts and its English words, and put into
words when the log is read — in Spanish for a reader who chose Spanish, whatever language the line was written
in, older lines (English words only) included where they can be told apart. Names, email addresses and someone's
own words are shown as written."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from recovery_network.admin import EmailAddressAdmin
from recovery_network.care import log_lines, sharing
from recovery_network.care.caseload import client_consents, log_view
from recovery_network.care.models import AccessEvent, Consent
from recovery_network.models import User
from recovery_network.privacy.erasure import end_sharing
from tests.care.factories import GrantFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def log_page(client):
    return client.get(reverse("care:access_log")).content.decode()


def in_spanish(owner):
    User.objects.filter(pk=owner.pk).update(language="es")


def test_english_words_are_what_the_rows_said_before_lines_kept_their_parts():
    """AccessEvent.what is compared to tell one look from the next, and read by the admin and the export: a line
    made from parts says in English exactly what the same line said when it was written as words."""
    english = log_lines.english
    line = log_lines.line
    assert english(line("scopes", scopes={"support_map", "clean_time"})) == "clean time and milestones, support map"
    assert english(line("caseload", scopes={"checkins"})) == "caseload summary: check-in trends"
    assert english(line("warning_sign", sign="no_checkin")) == "warning sign: no check-in for a few days"
    assert english(line("invited", role="viewer", email="m@example.org")) == "Family member or friend: m@example.org"
    assert english(line("now_sees", name="Fran", scopes=set())) == "Fran now sees: nothing but your name"
    assert (
        english(
            line(
                "renewal_asked",
                recipient="Dr Dana",
                organisation="Riverside",
                until=dt.date(2027, 3, 5),
                scopes={"checkins", "setbacks"},
                renews=dt.date(2026, 12, 1),
                asked_by="Dana (dana@example.org)",
            )
        )
        == "Dr Dana, Riverside, until 5 March 2027: check-in trends, setbacks; renews the consent of 1 December 2026; "
        "asked for by Dana (dana@example.org)"
    )
    assert english(
        line("left_consent", name="Casey", site="Recovery Network", recipient="Casey", organisation="Clinic")
    ) == ("Casey left Recovery Network: Consent for Casey (Clinic) ended")
    assert english(line("admin_verified", record="email")) == (
        "your email address record (marked verified), in the site's administration"
    )
    with pytest.raises(ValueError):
        line("no_such_sentence")


def test_a_look_and_a_change_of_sharing_read_in_spanish_for_a_spanish_reader(owner, owner_client, family_client):
    grant = GrantFactory(owner=owner, viewer=UserFactory(display_name="Sam"), support_map=True)
    sharing.change_scopes(grant, {"clean_time", "setbacks"})
    family_client.get(reverse("care:person", args=[owner.pk]))
    page = log_page(owner_client)
    assert "Sam now sees: clean time and milestones, setbacks" in page
    in_spanish(owner)
    page = log_page(owner_client)
    assert "ahora Sam ve: tiempo en recuperación y logros, tropiezos" in page
    assert "tiempo en recuperación y logros" in page and "clean time and milestones" not in page
    assert AccessEvent.objects.filter(what="Sam now sees: clean time and milestones, setbacks").exists()  # kept


def test_a_signed_consent_reads_with_its_date_in_the_readers_language(owner, owner_client):
    with translation.override("es"):  # whatever the language of the request that wrote it
        sharing.sign_consent(
            owner,
            email="dana@example.org",
            scopes={"checkins"},
            recipient_name="Dr Dana",
            organisation="Riverside",
            purpose="Treatment",
            expires_on=dt.date(2027, 3, 5),
            signed_name="Olive",
        )
    event = AccessEvent.objects.get(owner=owner, action="consent_signed")
    assert event.what == "Dr Dana, Riverside, until 5 March 2027: check-in trends"
    assert "Dr Dana, Riverside, until 5 March 2027: check-in trends" in log_page(owner_client)
    in_spanish(owner)
    page = log_page(owner_client)
    assert "Dr Dana, Riverside, hasta el 5 de marzo de 2027: tendencias del registro diario" in page
    assert "Consejero/a: dana@example.org" in page  # the invitation it sent


def test_a_caseload_look_reads_in_the_clients_language(owner, owner_client, counselor):
    now = timezone.now()
    log_view(counselor, client_consents(counselor, now), reverse("care:caseload"), now)
    in_spanish(owner)
    page = log_page(owner_client)
    assert "resumen en su lista de clientes: tiempo en recuperación y logros" in page
    assert "caseload summary" not in page


def test_lines_written_as_english_words_only_are_shown_translated_when_they_can_be_told_apart(owner, owner_client):
    """Rows from before lines kept their parts: a fixed phrase, a scope list or a warning sign is translated;
    anything else (a counselor's own words, a name and email) is shown as written."""
    for what in (
        "your call for support",
        "check-in trends, support map",
        "warning sign: no check-in for a few days",
        "A walk every morning",  # a recommendation's own words
        "Fran (family@example.org)",
    ):
        AccessEvent.objects.create(owner=owner, actor_name="Someone", action="viewed", what=what)
    in_spanish(owner)
    page = log_page(owner_client)
    assert "tu llamado de apoyo" in page
    assert "tendencias del registro diario, mapa de apoyo" in page
    assert "your call for support" not in page and "check-in trends" not in page
    assert "señal de alerta: " in page and "warning sign" not in page
    assert "A walk every morning" in page and "Fran (family@example.org)" in page


def test_a_line_of_a_later_release_is_shown_in_its_english_words(owner, owner_client):
    AccessEvent.objects.create(
        owner=owner, actor_name="Someone", action="viewed", what="something new", line={"key": "not_yet_known"}
    )
    assert "something new" in log_page(owner_client)


def test_someone_leaving_for_good_reads_in_the_owners_language(owner, owner_client, family, counselor):
    end_sharing(family, timezone.now())
    end_sharing(counselor, timezone.now())
    in_spanish(owner)
    page = log_page(owner_client)
    assert "Fran dejó Recovery Network: ya no ve nada tuyo" in page
    consent = Consent.objects.get(owner=owner)
    assert (
        f"Casey Counselor dejó Recovery Network: terminó el consentimiento para {consent.recipient_name} "
        f"({consent.organisation})"
    ) in page


def test_a_look_in_the_sites_administration_reads_in_the_persons_language(owner, owner_client, admin_user):
    address = EmailAddress.objects.get(user=owner)
    request = RequestFactory().post("/")
    request.user = admin_user
    EmailAddressAdmin(EmailAddress, AdminSite()).log_changed(request, [address], "_verified")
    event = AccessEvent.objects.get(owner=owner, action="changed")
    assert event.what == "your email address record (marked verified), in the site's administration"
    in_spanish(owner)
    assert "el registro de tu correo electrónico (marcado como verificado), en la administración del sitio" in (
        log_page(owner_client)
    )


def test_the_kept_lookups_are_what_a_fresh_build_makes():
    """The two per-process caches hold constants from code: each equals what building it anew gives."""
    from recovery_network.care.caseload import _caseload_summary

    assert log_lines._known_english() == log_lines._known_english.__wrapped__()
    scopes = frozenset({"clean_time", "support_map"})
    assert (
        _caseload_summary(scopes)
        == _caseload_summary.__wrapped__(scopes)
        == ("caseload summary: clean time and milestones, support map")
    )
