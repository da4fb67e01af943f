"""The daily check-in: quick, one per local day, editable that day, linked to the owner's own network."""

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.db.models.signals import pre_save
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from milestones.models import CheckIn
from supports.models import PeerGroup, Supporter
from tests.milestones.factories import CheckInFactory

pytestmark = pytest.mark.django_db
URL = reverse("milestones:checkin")


def test_a_minimal_check_in_is_two_answers(owner_client, owner):
    with time_machine.travel(dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC), tick=False):
        response = owner_client.post(URL, {"sober": "yes", "mood": "4"})
    assert response.status_code == 302
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.local_date, checkin.sober, checkin.mood, checkin.craving) == (dt.date(2026, 3, 30), "yes", 4, None)


def test_only_sober_today_is_required_and_rather_not_say_is_an_answer(owner_client, owner):
    response = owner_client.post(URL, {})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    owner_client.post(URL, {"sober": "unsaid"})
    assert CheckIn.objects.get(owner=owner).get_sober_display() == "I'd rather not say"


def test_the_local_date_is_the_persons_today_not_the_servers(owner_client, owner):
    # 03:00 UTC on 31 March is still 30 March in Chicago.
    with time_machine.travel(dt.datetime(2026, 3, 31, 3, 0, tzinfo=dt.UTC), tick=False):
        owner_client.post(URL, {"sober": "yes"})
    assert CheckIn.objects.get(owner=owner).local_date == dt.date(2026, 3, 30)


def test_auckland_checks_in_on_its_own_tomorrow(client):
    from tests.factories import UserFactory

    kiwi = UserFactory(time_zone="Pacific/Auckland")
    client.force_login(kiwi)
    with time_machine.travel(dt.datetime(2026, 4, 4, 11, 30, tzinfo=dt.UTC), tick=False):  # 00:30 on 5 April NZDT
        client.post(URL, {"sober": "yes"})
    assert CheckIn.objects.get(owner=kiwi).local_date == dt.date(2026, 4, 5)


def test_a_second_submit_the_same_day_edits_the_check_in(owner_client, owner):
    with time_machine.travel(dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC), tick=False):
        owner_client.post(URL, {"sober": "yes", "mood": "2"})
        page = owner_client.get(URL).content.decode()
        assert "You've checked in today" in page
        assert 'value="2" id="id_mood_1" checked' in page or 'id="id_mood_1" checked' in page
        owner_client.post(URL, {"sober": "yes", "mood": "4", "gratitude": "Dinner with Sam"})
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.mood, checkin.gratitude) == (4, "Dinner with Sam")


def test_yesterdays_check_in_cannot_be_edited_from_today(owner_client, owner):
    CheckInFactory(owner=owner, local_date=dt.date(2026, 3, 29), mood=1)
    with time_machine.travel(dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC), tick=False):
        owner_client.post(URL, {"sober": "yes", "mood": "5"})
    assert CheckIn.objects.get(local_date=dt.date(2026, 3, 29)).mood == 1
    assert CheckIn.objects.get(local_date=dt.date(2026, 3, 30)).mood == 5


def test_triggers_in_their_own_words_are_kept_and_offered_next_time(owner_client, owner):
    with time_machine.travel(dt.datetime(2026, 3, 29, 15, 0, tzinfo=dt.UTC), tick=False):
        owner_client.post(
            URL, {"sober": "yes", "triggers": ["stress", "tired"], "own_triggers": "payday,  Payday , the old bar"}
        )
    assert CheckIn.objects.get().triggers == ["stress", "tired", "payday", "the old bar"]
    with time_machine.travel(dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC), tick=False):
        page = owner_client.get(URL).content.decode()
    assert 'value="payday"' in page
    assert 'value="the old bar"' in page


def test_own_words_just_saved_are_valid_choices_on_the_next_submit(owner_client, owner):
    """The words offered are read afresh for each submit that names one: a save's new words count at once."""
    owner_client.post(URL, {"sober": "yes", "triggers": ["stress"]})
    owner_client.post(URL, {"sober": "yes", "own_triggers": "payday"})
    response = owner_client.post(URL, {"sober": "yes", "triggers": ["payday", "stress"]})
    assert response.status_code == 302, response.content.decode()[:500]
    assert sorted(CheckIn.objects.get().triggers) == ["payday", "stress"]


def test_a_submit_naming_only_common_triggers_reads_neither_their_own_words_nor_their_network(owner_client, owner):
    """Their own words and their supporters and groups are what a submit may name; one that names
    none of them has nothing to check against, and each submit of the day is as cheap as it can be."""
    CheckInFactory(owner=owner, local_date=owner.local_today() - dt.timedelta(days=1), triggers=["payday"])
    Supporter.objects.create(owner=owner, name="Marcus")
    PeerGroup.objects.create(owner=owner, name="Tuesday Night Group", fellowship="aa")
    with CaptureQueriesContext(connection) as captured:
        response = owner_client.post(URL, {"sober": "yes", "triggers": ["stress"], "helped": ["exercise"]})
    assert response.status_code == 302
    # The day's own check-in is read to be saved (update_or_create); their own words would be other days'.
    reads = [query["sql"] for query in captured if query["sql"].lstrip().startswith("SELECT")]
    reads = [sql for sql in reads if '"local_date" = ' not in sql]
    assert not [sql for sql in reads if '"triggers"' in sql], reads
    assert not [sql for sql in reads if 'FROM "supports_supporter"' in sql or 'FROM "supports_peergroup"' in sql]
    assert CheckIn.objects.get(owner=owner, local_date=owner.local_today()).triggers == ["stress"]


def test_their_own_words_are_offered_from_the_last_half_year(owner_client, owner):
    today = owner.local_today()
    CheckInFactory(owner=owner, local_date=today - dt.timedelta(days=180), triggers=["payday", "stress"])
    CheckInFactory(owner=owner, local_date=today - dt.timedelta(days=181), triggers=["the old bar"])
    page = owner_client.get(URL).content.decode()
    assert 'value="payday"' in page
    assert 'value="the old bar"' not in page


def test_naming_no_supporter_or_group_cleans_to_what_djangos_field_gives(owner):
    from django import forms

    from milestones.forms import CheckInForm

    form = CheckInForm({"sober": "yes"}, owner=owner)
    assert form.is_valid()
    django_field = forms.ModelMultipleChoiceField(Supporter.objects.all(), required=False)
    assert form.cleaned_data["supporters"] == form.cleaned_data["groups"] == list(django_field.clean([])) == []


def test_a_trigger_that_is_neither_common_nor_their_own_is_not_a_valid_choice(owner_client, owner):
    CheckInFactory(owner=owner, local_date=owner.local_today() - dt.timedelta(days=1), triggers=["payday"])
    response = owner_client.post(URL, {"sober": "yes", "triggers": ["payday", "made up"]})
    assert response.status_code == 200
    assert "Select a valid choice. made up is not one of the available choices." in response.content.decode()
    assert response.context["form"]["triggers"].field.choices[-1] == ("payday", "payday")
    assert not CheckIn.objects.filter(local_date=owner.local_today()).exists()


def test_a_refused_submit_still_offers_their_own_words_and_network(owner_client, owner):
    CheckInFactory(owner=owner, local_date=owner.local_today() - dt.timedelta(days=1), triggers=["payday"])
    Supporter.objects.create(owner=owner, name="Marcus")
    response = owner_client.post(URL, {"sober": "maybe", "triggers": ["stress"], "gratitude": "The lake"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="payday"' in body and "Marcus" in body
    assert "The lake" in body  # nothing typed is lost


def test_what_helped_links_to_the_owners_own_supporters_and_groups(owner_client, owner):
    sponsor = Supporter.objects.create(owner=owner, name="Marcus")
    group = PeerGroup.objects.create(owner=owner, name="Tuesday Night Group", fellowship="aa")
    owner_client.post(URL, {"sober": "yes", "helped": ["exercise"], "supporters": [sponsor.pk], "groups": [group.pk]})
    checkin = CheckIn.objects.get()
    assert list(checkin.helped_supporters.all()) == [sponsor]
    assert list(checkin.helped_groups.all()) == [group]
    # Naming someone is itself an answer to "what helped".
    assert checkin.helped == ["exercise", "supporter", "meeting"]
    detail = owner_client.get(reverse("milestones:checkin_detail", args=[checkin.local_date.isoformat()]))
    assert "Marcus" in detail.content.decode()


def test_another_persons_supporter_or_group_is_not_a_valid_choice(owner_client, stranger):
    theirs = Supporter.objects.create(owner=stranger, name="Not yours")
    their_group = PeerGroup.objects.create(owner=stranger, name="Not your group", fellowship="na")
    response = owner_client.post(URL, {"sober": "yes", "supporters": [theirs.pk], "groups": [their_group.pk]})
    assert response.status_code == 200
    assert response.content.decode().count("Select a valid choice") == 2
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("pk", ["9223372036854775808", "99999999999999999999999"])
def test_an_id_no_row_can_have_is_a_form_error_not_a_failure(owner_client, owner, pk):
    """Django looks chosen ids up with IN (…), which SQLite refuses past its integer range."""
    Supporter.objects.create(owner=owner, name="Marcus")
    response = owner_client.post(URL, {"sober": "yes", "supporters": [pk], "groups": [pk]})
    assert response.status_code == 200
    assert response.content.decode().count("is not a valid value") == 2
    assert not CheckIn.objects.exists()


def test_archived_supporters_are_not_offered(owner_client, owner):
    Supporter.objects.create(owner=owner, name="Old Friend", archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert "Old Friend" not in owner_client.get(URL).content.decode()


def test_out_of_range_answers_are_form_errors(owner_client):
    response = owner_client.post(URL, {"sober": "maybe", "mood": "9", "craving": "-1"})
    assert response.status_code == 200
    assert response.content.decode().count("Select a valid choice") == 3
    assert not CheckIn.objects.exists()


def _form_without_token(client):
    body = client.get(URL).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_the_form_kept_in_the_cache_is_the_form_rendered(owner_client, owner, client, stranger):
    """A GET's form is kept under the person's data version and local date: warm or cold, for anyone, the
    page is the same, and whatever changes what it shows (a save, a new supporter, midnight) shows at once."""
    CheckInFactory(owner=owner, local_date=owner.local_today() - dt.timedelta(days=1), triggers=["payday"])
    Supporter.objects.create(owner=owner, name="Marcus")
    client.force_login(stranger)
    Supporter.objects.create(owner=stranger, name="Rowan")
    cold = {}
    for who, browser in (("owner", owner_client), ("stranger", client)):
        with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
            cold[who] = _form_without_token(browser)
    for _ in range(2):  # the first fills the cache, the second reads it
        assert _form_without_token(owner_client) == cold["owner"]
        assert _form_without_token(client) == cold["stranger"]
    with CaptureQueriesContext(connection) as warm:
        owner_client.get(URL)
    assert len(warm) <= 2, [query["sql"] for query in warm]  # the session and the person: nothing of the form
    owner_client.post(URL, {"sober": "yes", "mood": "2", "triggers": ["payday"]})
    Supporter.objects.create(owner=owner, name="Sage")
    again = _form_without_token(owner_client)
    assert 'value="2" id="id_mood_1" checked' in again and "You've checked in today" in again
    assert re.search(r'value="payday" id="id_triggers_\d+" checked', again) and "Sage" in again
    with time_machine.travel(owner.local_now().replace(hour=23, minute=58), tick=False):
        assert "You've checked in today" in _form_without_token(owner_client)
        owner_client.get(URL)
    with time_machine.travel(owner.local_now().replace(hour=23, minute=58) + dt.timedelta(minutes=4), tick=False):
        assert "You've checked in today" not in _form_without_token(owner_client)  # their midnight, not the TTL


def test_saying_no_gets_a_kind_word_and_a_way_to_record_a_setback(owner_client, owner):
    response = owner_client.post(URL, {"sober": "no"}, follow=True)
    body = response.content.decode()
    assert "Thank you for checking in honestly" in body
    assert "fail" not in body.lower()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_leave_one_check_in_for_the_day(owner):
    """Two connections race past the lookup; the unique constraint decides, nobody gets an error."""
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(2, timeout=10)

    def both_found_nothing(sender, instance, **kwargs):
        if instance._state.adding:
            barrier.wait()  # both threads have looked and found nothing before either inserts

    results, errors = [], []

    def submit(mood):
        client = Client()
        client.force_login(owner)
        try:
            results.append(client.post(URL, {"sober": "yes", "mood": str(mood)}).status_code)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)
        finally:
            connection.close()

    pre_save.connect(both_found_nothing, sender=CheckIn, dispatch_uid="test-checkin-race")
    try:
        threads = [threading.Thread(target=submit, args=(mood,)) for mood in (2, 5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        pre_save.disconnect(dispatch_uid="test-checkin-race", sender=CheckIn)

    assert errors == []
    assert results == [302, 302]
    assert CheckIn.objects.filter(owner=owner).count() == 1
    assert CheckIn.objects.get(owner=owner).mood in (2, 5)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_raw_inserts_are_stopped_by_the_database(owner):
    from django.db import IntegrityError

    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def insert():
        try:
            barrier.wait()
            CheckIn.objects.create(owner=owner, local_date=dt.date(2026, 3, 1), sober="yes")
            outcomes.append("inserted")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=insert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["inserted", "refused"]
    assert CheckIn.objects.count() == 1


def test_a_person_who_flies_west_gets_their_new_today_and_keeps_yesterdays_check_in(client):
    from tests.factories import UserFactory

    traveller = UserFactory(time_zone="Pacific/Auckland")
    client.force_login(traveller)
    moment = dt.datetime(2026, 5, 30, 20, 0, tzinfo=dt.UTC)  # 08:00 on 31 May in Auckland
    with time_machine.travel(moment, tick=False):
        client.post(URL, {"sober": "yes", "mood": "3"})
        traveller.time_zone = "Pacific/Honolulu"  # 10:00 on 30 May there
        traveller.save(update_fields=["time_zone"])
        page = client.get(URL).content.decode()
        assert "Saturday 30 May" in page
        assert "You've checked in today" not in page
        client.post(URL, {"sober": "yes", "mood": "4"})
    assert sorted(CheckIn.objects.filter(owner=traveller).values_list("local_date", "mood")) == [
        (dt.date(2026, 5, 30), 4),
        (dt.date(2026, 5, 31), 3),
    ]
