"""The pages of warning signs: the person chooses who is told of what (/care/signs/) and reads what was told; the
family view and the client page show a sign that holds; the caseload lists such a client first, with the sign."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from recovery_network.care import sharing, warning_signs
from recovery_network.care.models import Grant, SignEpisode, SignWatch
from tests.care.conftest import client_for
from tests.care.test_caseload import make_client
from tests.milestones.factories import CheckInFactory, JourneyFactory

pytestmark = pytest.mark.django_db

URL = reverse("care:warning_signs")


@pytest.fixture
def family_sees_checkins(family, owner):
    Grant.objects.filter(owner=owner, viewer=family).update(checkins=True)
    return family


def post_signs(client, rows, total=None):
    """Post the page's form: rows of (watcher, {field: value}), as the browser sends them."""
    data = {
        "signs-TOTAL_FORMS": str(len(rows) if total is None else total),
        "signs-INITIAL_FORMS": str(len(rows)),
        "signs-MIN_NUM_FORMS": "0",
        "signs-MAX_NUM_FORMS": "500",
    }
    for index, (watcher, fields) in enumerate(rows):
        data[f"signs-{index}-watcher"] = str(getattr(watcher, "pk", watcher))
        data.update({f"signs-{index}-{name}": value for name, value in fields.items()})
    return client.post(URL, data)


def use_today(owner, watcher=None, **watched):
    """A check-in recording use today, evaluated; `watcher` told of use first when given."""
    if watcher is not None:
        SignWatch.objects.create(owner=owner, watcher=watcher, **(watched or {"use": True}))
    JourneyFactory(owner=owner, started_on=owner.local_today() - dt.timedelta(days=40))
    warning_signs.checked_in(CheckInFactory(owner=owner, local_date=owner.local_today(), sober="no", notes="PRIVATE"))


# The person's page


def test_the_owner_sees_everyone_in_their_circle_with_the_signs_their_scope_shows(owner_client, family, counselor):
    page = owner_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Fran" in html and "Casey Counselor" in html and "(counselor)" in html
    assert "<legend>" in html and "<fieldset" in html
    # Fran sees clean time alone: every sign is shown disabled, saying what it needs.
    assert html.count("Needs check-in trends:") == 2 and html.count("Needs check-in trends or setbacks:") == 1
    assert html.count("disabled") == 4  # Fran's three signs and her number of days; the counselor's are open


def test_the_circle_page_leads_to_the_warning_signs(owner_client):
    assert URL in owner_client.get(reverse("care:circle")).content.decode()


def test_the_owner_chooses_who_is_told_of_what(owner, owner_client, family_sees_checkins, counselor):
    response = post_signs(
        owner_client,
        [
            (family_sees_checkins, {"craving": "on", "no_checkin": "on", "no_checkin_days": "5"}),
            (counselor, {"no_checkin_days": "3"}),
        ],
    )
    assert response.status_code == 302 and response["Location"] == URL
    saved = SignWatch.objects.get(watcher=family_sees_checkins)
    assert (saved.owner, saved.craving, saved.no_checkin, saved.no_checkin_days, saved.use) == (owner, 1, 1, 5, 0)
    assert not SignWatch.objects.filter(watcher=counselor).exists()  # nothing ticked: no row, private
    page = owner_client.get(URL).content.decode()
    assert "Saved." in page and 'value="5"' in page
    post_signs(owner_client, [(family_sees_checkins, {"no_checkin_days": "5"})])  # all unticked: the row goes
    assert not SignWatch.objects.exists()


def test_a_sign_the_scope_does_not_show_is_refused_with_the_reason(owner_client, family):
    response = post_signs(owner_client, [(family, {"use": "on", "no_checkin_days": "3"})])  # clean time only
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fran can&#39;t be told of this: it needs check-in trends or setbacks" in html
    assert "nothing was saved" in html and not SignWatch.objects.exists()


def test_a_narrowed_scope_shows_the_sign_unticked(owner, owner_client, family_sees_checkins):
    SignWatch.objects.create(owner=owner, watcher=family_sees_checkins, craving=True)
    sharing.change_scopes(Grant.objects.get(owner=owner, viewer=family_sees_checkins), {"clean_time"})
    html = owner_client.get(URL).content.decode()
    assert 'name="signs-0-craving" disabled' in html or 'disabled id="id_signs-0-craving"' in html
    assert "checked" not in html


@pytest.mark.parametrize("days", ["0", "31", "-1", "many", "9" * 50, "3\x00", "1" * 5000])
def test_bad_days_get_a_clear_message_and_nothing_is_saved(owner_client, family_sees_checkins, days):
    response = post_signs(owner_client, [(family_sees_checkins, {"no_checkin": "on", "no_checkin_days": days})])
    assert response.status_code == 400
    assert b"nothing was saved" in response.content and b"Choose a number of days from 1 to 30." in response.content
    assert not SignWatch.objects.exists()


@pytest.mark.parametrize("watcher", ["stranger", "", "x", "0", str(2**63), "1" * 5000])
def test_someone_not_in_the_circle_is_refused_and_nothing_is_saved(
    owner_client, family_sees_checkins, watcher, request
):
    if watcher == "stranger":
        watcher = request.getfixturevalue("stranger").pk
    response = post_signs(owner_client, [(family_sees_checkins, {"craving": "on"}), (watcher, {"use": "on"})])
    assert response.status_code == 400 and b"no longer shares in your circle" in response.content
    assert not SignWatch.objects.exists()


def test_a_person_listed_twice_or_a_tampered_form_is_refused(owner_client, family_sees_checkins):
    twice = post_signs(owner_client, [(family_sees_checkins, {"craving": "on"}), (family_sees_checkins, {})])
    assert twice.status_code == 400 and b"only once" in twice.content
    for total in ("x", "99999999999999999999", "100000"):
        assert post_signs(owner_client, [(family_sees_checkins, {"craving": "on"})], total=total).status_code == 400
    # A count below one posts no row at all: nothing to save, nothing saved.
    assert post_signs(owner_client, [(family_sees_checkins, {"craving": "on"})], total="-1").status_code < 500
    assert not SignWatch.objects.exists()


def test_the_history_says_what_was_told_to_whom(owner, owner_client, family_sees_checkins, counselor):
    use_today(owner, family_sees_checkins)
    html = owner_client.get(URL).content.decode()
    assert "A check-in recording use" in html and "Told: Fran (" in html and "PRIVATE" not in html


@pytest.mark.parametrize("viewer", ["family_client", "counselor_client", "stranger_client"])
def test_others_get_only_their_own_empty_page(owner, family_sees_checkins, viewer, request):
    use_today(owner, family_sees_checkins)
    page = request.getfixturevalue(viewer).get(URL)
    assert page.status_code == 200 and "Olive" not in page.content.decode()
    assert "No one shares in your recovery yet" in page.content.decode()


def test_others_cannot_choose_for_the_owner(owner, family_sees_checkins, family_client, stranger_client):
    for client in (family_client, stranger_client):
        assert post_signs(client, [(family_sees_checkins, {"craving": "on"})]).status_code == 400
    assert not SignWatch.objects.exists()


def test_anonymous_is_sent_to_sign_in(anon_client):
    for response in (anon_client.get(URL), anon_client.post(URL)):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The family view


def test_the_family_view_shows_the_sign_they_are_told_of(owner, family_sees_checkins, family_client):
    use_today(owner, family_sees_checkins)
    html = family_client.get(reverse("care:person", args=[owner.pk])).content.decode()
    assert "Olive may need a call today" in html and "PRIVATE" not in html


def test_the_family_view_shows_no_sign_they_did_not_choose_or_may_not_see(owner, family, family_client, counselor):
    use_today(owner, counselor)  # told to the counselor only
    url = reverse("care:person", args=[owner.pk])
    assert "may need a call" not in family_client.get(url).content.decode()
    SignWatch.objects.create(owner=owner, watcher=family, use=True)  # chosen, but her grant shows clean time only
    assert "may need a call" not in family_client.get(url).content.decode()


def test_silence_shows_on_the_family_view_only_once_their_own_days_have_passed(owner, family_sees_checkins):
    SignWatch.objects.create(owner=owner, watcher=family_sees_checkins, no_checkin=True, no_checkin_days=5)
    JourneyFactory(owner=owner, started_on=dt.date(2026, 10, 1))
    CheckInFactory(owner=owner, local_date=dt.date(2026, 12, 1))
    SignEpisode.objects.create(owner=owner, sign="no_checkin", started_on=dt.date(2026, 12, 1))  # for another's N
    client, url = client_for(family_sees_checkins), reverse("care:person", args=[owner.pk])
    with time_machine.travel(dt.datetime(2026, 12, 5, 18, tzinfo=dt.UTC)):  # four days
        assert "may need a call" not in client.get(url).content.decode()
    with time_machine.travel(dt.datetime(2026, 12, 6, 18, tzinfo=dt.UTC)):  # five
        assert "No check-in since Tuesday 1 December" in client.get(url).content.decode()


# The counselor's pages


def test_the_client_page_names_the_sign(owner, counselor, counselor_client):
    use_today(owner, counselor)
    html = counselor_client.get(reverse("care:client", args=[owner.pk])).content.decode()
    assert "Warning sign: a check-in recording use" in html and "PRIVATE" not in html


def test_the_caseload_puts_a_client_with_a_sign_first_with_the_mark(owner, counselor, counselor_client):
    make_client(counselor, "Zed", last_checkin_days=9, cravings=(7, 2))  # every signal the caseload reads
    SignWatch.objects.create(owner=owner, watcher=counselor, no_checkin=True, no_checkin_days=2)
    JourneyFactory(owner=owner, started_on=owner.local_today() - dt.timedelta(days=40))
    CheckInFactory(owner=owner, local_date=owner.local_today() - dt.timedelta(days=4))
    html = counselor_client.get(reverse("care:caseload")).content.decode()
    assert "Warning sign" not in html and html.index("Zed") < html.index("Olive")
    warning_signs.sweep_silence()
    html = counselor_client.get(reverse("care:caseload")).content.decode()  # kept, and changed at once
    assert "Warning sign: no check-in for 4 days" in html and html.index("Olive") < html.index("Zed")


def test_the_caseload_drops_the_mark_as_soon_as_the_sign_passes(owner, counselor, counselor_client):
    SignWatch.objects.create(owner=owner, watcher=counselor, craving=True)
    JourneyFactory(owner=owner, started_on=owner.local_today() - dt.timedelta(days=40))
    today = owner.local_today()
    for days_ago in (3, 2, 1):
        warning_signs.checked_in(CheckInFactory(owner=owner, local_date=today - dt.timedelta(days=days_ago), craving=9))
    assert "Warning sign: cravings of 8 or more" in counselor_client.get(reverse("care:caseload")).content.decode()
    warning_signs.checked_in(CheckInFactory(owner=owner, local_date=today, craving=2))
    assert "Warning sign" not in counselor_client.get(reverse("care:caseload")).content.decode()


def test_the_caseload_shows_no_sign_the_client_did_not_choose_for_this_counselor(
    owner, counselor, counselor_client, family_sees_checkins
):
    use_today(owner, family_sees_checkins)  # the family is told; the counselor is not
    assert "Warning sign" not in counselor_client.get(reverse("care:caseload")).content.decode()


def test_the_caseload_shows_a_use_for_three_days_and_then_no_more(owner, counselor, counselor_client):
    use_today(owner, counselor)
    later = timezone.now() + dt.timedelta(days=3, minutes=20)
    with time_machine.travel(later):
        assert "Warning sign" not in counselor_client.get(reverse("care:caseload")).content.decode()


def _caseload_queries(counselor, counselor_client, django_assert_max_num_queries, size):
    for index in range(size - SignWatch.objects.filter(watcher=counselor).count()):
        person = make_client(counselor, f"Client {index}", last_checkin_days=1)
        SignWatch.objects.create(owner=person, watcher=counselor, use=True, craving=True)
        warning_signs.checked_in(CheckInFactory(owner=person, local_date=person.local_today(), sober="no"))
    with override_settings(PAGE_CACHE=False), django_assert_max_num_queries(22) as captured:
        response = counselor_client.get(reverse("care:caseload"))
    assert response.content.decode().count("Warning sign: a check-in recording use") == size
    return len(captured)


def test_the_caseload_with_signs_keeps_its_fixed_number_of_queries(
    counselor, counselor_client, django_assert_max_num_queries
):
    counselor_client.get(reverse("care:caseload"))  # session and activity bookkeeping settle first
    at_3 = _caseload_queries(counselor, counselor_client, django_assert_max_num_queries, 3)
    at_30 = _caseload_queries(counselor, counselor_client, django_assert_max_num_queries, 30)
    print(f"caseload queries with signs: {at_3} at 3 clients, {at_30} at 30 clients")
    assert at_3 == at_30
