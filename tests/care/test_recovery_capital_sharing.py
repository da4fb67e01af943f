"""Recovery capital shared with the circle: a scope of its own, off by default; the trend on the client page and
the family view only with it; a caseload column that puts a total below 47, or a fall of 5 or more, first."""

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from recovery_network.capital.models import ITEM_FIELDS, CapitalCheck
from recovery_network.care import sharing
from recovery_network.care.caseload import caseload
from recovery_network.care.models import AccessEvent, Consent, Grant, SignEpisode, SignWatch, WarningSign
from recovery_network.models import User
from tests.care.factories import ConsentFactory, turn_on_two_factor
from tests.care.test_consent import consent_data, reauthenticate
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

TREND = "BARC-10 total, 10 to 60"  # the chart's title: drawn only when the trend is


def check_up(owner, days_ago, total):
    """A BARC-10 check-up `days_ago` on the owner's calendar whose ten answers add up to `total`."""
    base, extra = divmod(total, 10)
    answers = {field: base + (1 if index < extra else 0) for index, field in enumerate(ITEM_FIELDS)}
    return CapitalCheck.objects.create(
        owner=owner, taken_on=owner.local_today() - dt.timedelta(days=days_ago), **answers
    )


def client_url(owner):
    return reverse("care:client", args=[owner.pk])


def person_url(owner):
    return reverse("care:person", args=[owner.pk])


def mentions_capital(page):
    lowered = page.lower()
    return "capital" in lowered or "barc" in lowered


# The scope


def test_the_scope_is_offered_in_the_consent_form_and_off_by_default(owner_client):
    reauthenticate(owner_client)
    form = owner_client.get(reverse("care:consent_create")).context["form"]
    assert "recovery_capital" in dict(form.fields["scopes"].choices)
    assert "recovery_capital" not in form.fields["scopes"].initial
    invite_form = owner_client.get(reverse("care:invite")).context["form"]
    assert "recovery_capital" in dict(invite_form.fields["scopes"].choices)
    assert invite_form.fields["scopes"].initial == ["clean_time"]
    assert not Grant._meta.get_field("recovery_capital").default


def test_the_consent_document_names_it_when_chosen(owner, owner_client):
    reauthenticate(owner_client)
    owner_client.post(reverse("care:consent_create"), consent_data(owner, scopes=["checkins", "recovery_capital"]))
    consent = Consent.objects.get(owner=owner)
    assert consent.scopes == {"checkins", "recovery_capital"}
    document = owner_client.get(reverse("care:consent_detail", args=[consent.pk])).content.decode()
    assert "<li>check-in trends</li><li>recovery capital</li>" in document
    signed = AccessEvent.objects.get(owner=owner, action="consent_signed")
    assert signed.what.endswith(": check-in trends, recovery capital")


def test_the_consent_document_leaves_it_out_when_not_chosen(owner, owner_client):
    reauthenticate(owner_client)
    owner_client.post(reverse("care:consent_create"), consent_data(owner))
    consent = Consent.objects.get(owner=owner)
    document = owner_client.get(reverse("care:consent_detail", args=[consent.pk])).content.decode()
    assert "check-in trends" in document and "recovery capital" not in document


# The client page


def test_a_counselor_with_the_scope_sees_the_trend_and_the_look_is_logged(world, owner, counselor, counselor_client):
    check_up(owner, 40, 50)
    page = counselor_client.get(client_url(owner)).content.decode()
    assert '<h2 id="capital-heading">Recovery capital</h2>' in page and TREND in page
    assert "The total went from 50" in page and "to 50 on" in page  # the world's own check-up is 50 too
    look = AccessEvent.objects.filter(owner=owner, actor=counselor, action="viewed").latest("created_at")
    assert "recovery capital" in look.what and look.path == client_url(owner)


def test_without_the_scope_nothing_of_it_shows(world, owner, counselor, consent, counselor_client):
    Consent.objects.filter(pk=consent.pk).update(recovery_capital=False)
    response = counselor_client.get(client_url(owner))
    assert response.status_code == 200 and not mentions_capital(response.content.decode())
    look = AccessEvent.objects.filter(owner=owner, actor=counselor, action="viewed").latest("created_at")
    assert "recovery capital" not in look.what
    report = counselor_client.get(reverse("care:client_report", args=[owner.pk])).content.decode()
    assert not mentions_capital(report)


def test_the_report_carries_the_trend_with_the_scope(world, owner, counselor_client):
    report = counselor_client.get(reverse("care:client_report", args=[owner.pk])).content.decode()
    assert TREND in report


def test_a_client_with_no_check_up_yet_reads_so(owner, counselor_client):
    page = counselor_client.get(client_url(owner)).content.decode()
    assert "Recovery capital</h2>" in page and "No check-ups yet." in page and TREND not in page


def test_revoking_the_consent_cuts_it_at_once(world, owner, owner_client, consent, counselor_client):
    assert TREND in counselor_client.get(client_url(owner)).content.decode()
    owner_client.post(reverse("care:consent_revoke", args=[consent.pk]))
    assert counselor_client.get(client_url(owner)).status_code == 404
    assert counselor_client.get(reverse("care:caseload")).content.decode().count('class="caseload__row') == 0


def test_a_new_check_up_shows_on_the_kept_page(world, owner, counselor_client):
    with override_settings(PAGE_CACHE=True):
        assert "to 38 on" not in counselor_client.get(client_url(owner)).content.decode()
        check_up(owner, 0, 38)
        assert "to 38 on" in counselor_client.get(client_url(owner)).content.decode()


def test_strangers_get_404(world, owner, stranger_client):
    assert stranger_client.get(client_url(owner)).status_code == 404
    assert stranger_client.get(person_url(owner)).status_code == 404


# The family view


def test_family_with_the_scope_see_the_trend(world, owner, grant, family, family_client):
    sharing.change_scopes(grant, {"clean_time", "recovery_capital"})
    page = family_client.get(person_url(owner)).content.decode()
    assert '<h2 id="capital-heading">Recovery capital</h2>' in page and TREND in page
    assert "clean time and milestones, recovery capital" in page  # what they were told is shared
    look = AccessEvent.objects.filter(owner=owner, actor=family, action="viewed").latest("created_at")
    assert look.what == "clean time and milestones, recovery capital"


def test_family_without_the_scope_see_nothing_of_it(world, owner, grant, family_client):
    sharing.change_scopes(grant, {"clean_time", "checkins", "support_map", "attendance", "setbacks"})
    page = family_client.get(person_url(owner)).content.decode()
    assert "Sober from wine" in page and not mentions_capital(page)


# The caseload


def make_client(counselor, name, totals, **scopes):
    """A client whose check-ups had these totals, oldest first, a month apart."""
    person = UserFactory(display_name=name)
    ConsentFactory(owner=person, counselor=counselor, **scopes)
    for index, total in enumerate(totals):
        check_up(person, 30 * (len(totals) - 1 - index), total)
    return person


@pytest.fixture
def own_counselor(db):
    counselor = UserFactory(display_name="Casey Counselor")
    turn_on_two_factor(counselor)
    return counselor


@pytest.fixture
def clients(own_counselor):
    make_client(own_counselor, "Ada", [52, 55])  # rising, above the line
    make_client(own_counselor, "Bea", [56, 50])  # fell by 6, still above the line
    make_client(own_counselor, "Cal", [48, 44])  # below 47, fell by 4
    make_client(own_counselor, "Dee", [30, 30], recovery_capital=False)  # not shared
    make_client(own_counselor, "Eli", [])  # no check-up yet
    make_client(own_counselor, "Fay", [60, 51, 45])  # below 47 and fell by 6: only the two newest count
    make_client(own_counselor, "Gus", [52, 48])  # fell by 4, above the line: nothing to flag
    return own_counselor


def test_the_column_holds_the_latest_total_and_its_change(clients):
    rows = {row.owner.name: row for row in caseload(clients)}
    assert (rows["Ada"].capital_total, rows["Ada"].capital_change) == (55, 3)
    assert (rows["Bea"].capital_total, rows["Bea"].capital_change) == (50, -6)
    assert (rows["Fay"].capital_total, rows["Fay"].capital_change) == (45, -6)
    assert (rows["Dee"].capital_total, rows["Dee"].capital_change) == (None, None)
    assert (rows["Eli"].capital_total, rows["Eli"].capital_change) == (None, None)
    assert rows["Fay"].capital_attention == ["below 47", "fell by 6"]
    assert rows["Bea"].capital_attention == ["fell by 6"] and rows["Cal"].capital_attention == ["below 47"]
    assert rows["Ada"].capital_attention == rows["Gus"].capital_attention == rows["Dee"].capital_attention == []
    assert "Recovery capital fell by 6" in rows["Bea"].reasons


def test_below_47_or_a_fall_of_5_sorts_first(clients):
    names = [row.owner.name for row in caseload(clients)]
    assert names[:3] == ["Bea", "Cal", "Fay"]  # each needs a look; among them the usual order (by name here)
    assert sorted(names[3:]) == ["Ada", "Dee", "Eli", "Gus"]
    assert [row.owner.name for row in caseload(clients, sort="name")] == sorted(names)  # a chosen sort holds


def test_a_warning_sign_still_comes_before_recovery_capital(clients):
    gus = User.objects.get(display_name="Gus")
    SignWatch.objects.create(owner=gus, watcher=clients, no_checkin=True, no_checkin_days=1)
    SignEpisode.objects.create(
        owner=gus, sign=WarningSign.NO_CHECKIN, started_on=gus.local_today() - dt.timedelta(days=4)
    )
    assert [row.owner.name for row in caseload(clients)][:4] == ["Gus", "Bea", "Cal", "Fay"]


def test_the_page_shows_the_column_in_words(clients):
    client = sign_in(Client(), clients)
    page = client.get(reverse("care:caseload")).content.decode()
    assert '<th scope="col">Recovery capital</th>' in page
    assert 'data-label="Recovery capital"><div>45 <span aria-hidden="true">↓6</span>' in page
    assert "down 6 since the check-up before</span><br><strong>below 47</strong><br><strong>fell by 6</strong>" in page
    assert 'data-label="Recovery capital"><div>55 <span aria-hidden="true">↑3</span>' in page
    assert page.count('data-label="Recovery capital">—</td>') == 2  # Dee shares none, Eli has none yet


def _measure(counselor, client, django_assert_max_num_queries, size):
    client.get(reverse("care:caseload"))  # session and activity bookkeeping settle first
    for index in range(size - Consent.objects.filter(counselor=counselor).count()):
        make_client(counselor, f"Client {index}", [40 + index % 15, 45 + index % 10])
    with override_settings(PAGE_CACHE=False), django_assert_max_num_queries(20) as captured:
        response = client.get(reverse("care:caseload"))
    assert response.status_code == 200 and response.content.decode().count('class="caseload__row') == size
    return len(captured)


def test_the_column_costs_one_query_whatever_the_caseload(own_counselor, django_assert_max_num_queries):
    client = sign_in(Client(), own_counselor)
    at_4 = _measure(own_counselor, client, django_assert_max_num_queries, 4)
    at_40 = _measure(own_counselor, client, django_assert_max_num_queries, 40)
    assert at_4 == at_40


def test_the_latest_two_are_read_in_one_query(own_counselor, django_assert_num_queries):
    people = [make_client(own_counselor, f"P{n}", [40, 50, 30 + n]) for n in range(5)]
    with django_assert_num_queries(1):
        rows = list(
            CapitalCheck.objects.latest_two_by_owner([person.pk for person in people]).values_list("owner_id", "total")
        )
    assert rows == [(person.pk, total) for n, person in enumerate(people) for total in (30 + n, 50)]
