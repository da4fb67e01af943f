"""The first run: five short steps, each saved at once, skippable, resumable, per account."""

import datetime as dt

import pytest
from django.urls import reverse

from milestones.models import Journey
from recovery_network.welcome.models import STEPS, FirstRun, Step
from supports.models import Closeness, Meeting, PeerGroup, Supporter
from tests.supports.factories import PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db

STEP_PAGES = [f"welcome:{step}" for step in STEPS]
PAGES = ["welcome:start", *STEP_PAGES]
ACTIONS = ["welcome:later", "welcome:dismiss"]


def first_run(user):
    return FirstRun.objects.get(owner=user)


def journey_data(today, **extra):
    return {"kind": "alcohol", "own_words": "", "started_on": (today - dt.timedelta(days=12)).isoformat(), **extra}


def people_data(*rows, action="save"):
    data = {"action": action, "people-TOTAL_FORMS": "3", "people-INITIAL_FORMS": "0"}
    for index in range(3):
        name, phone = rows[index] if index < len(rows) else ("", "")
        data.update({f"people-{index}-name": name, f"people-{index}-phone": phone})
        data[f"people-{index}-relationship"] = "friend"
    return data


# Who gets what


@pytest.mark.parametrize("name", PAGES + ACTIONS)
def test_anonymous_is_sent_to_sign_in(anon_client, name):
    for response in (anon_client.get(reverse(name)), anon_client.post(reverse(name))):
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["owner_client", "family_client", "counselor_client", "stranger_client"])
def test_every_step_opens_for_everyone_signed_in_and_writes_nothing(request, who):
    client = request.getfixturevalue(who)
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    for step, name in zip(STEPS, STEP_PAGES, strict=True):
        assert f"Step {STEPS.index(step) + 1} of 5" in client.get(reverse(name)).content.decode()
    assert not FirstRun.objects.exists()


def test_the_actions_are_post_only(owner_client):
    for name in ACTIONS:
        assert owner_client.get(reverse(name)).status_code == 405


@pytest.mark.parametrize("who", ["owner", "family", "counselor", "stranger"])
def test_each_account_has_its_own_first_run(request, who, owner):
    user = request.getfixturevalue(who)
    client = request.getfixturevalue(f"{who}_client")
    response = client.post(reverse("welcome:journey"), journey_data(user.local_today()))
    assert response.status_code == 302 and response.url == reverse("welcome:people")
    assert Journey.objects.filter(owner=user).count() == 1
    assert first_run(user).outcome(Step.JOURNEY) == "done"
    assert FirstRun.objects.count() == 1
    if who != "owner":
        assert not Journey.objects.filter(owner=owner).exists()


# Step 1: the journey


def test_the_journey_step_starts_a_journey_and_a_second_submit_edits_it(owner, owner_client):
    today = owner.local_today()
    owner_client.post(reverse("welcome:journey"), journey_data(today))
    owner_client.post(reverse("welcome:journey"), journey_data(today, own_words="Sober from drinking"))
    journey = Journey.objects.get(owner=owner)
    assert journey.own_words == "Sober from drinking"
    assert journey.started_on == journey.first_started_on == today - dt.timedelta(days=12)
    assert first_run(owner).journey == journey


def test_the_journey_step_says_what_is_missing(owner, owner_client):
    response = owner_client.post(reverse("welcome:journey"), {"own_words": "x"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose what you" in body and "Give the first day of your current count" in body
    tomorrow = owner.local_today() + dt.timedelta(days=1)
    response = owner_client.post(reverse("welcome:journey"), journey_data(owner.local_today(), started_on=tomorrow))
    assert response.status_code == 400 and "be after today" in response.content.decode()
    assert not Journey.objects.exists()


def test_the_journey_form_offers_no_empty_choice(owner_client):
    assert "---------" not in owner_client.get(reverse("welcome:journey")).content.decode()


# Step 2: people for a bad night


def test_people_step_adds_crisis_supporters_to_the_inner_circle_and_ignores_blank_rows(owner, owner_client):
    response = owner_client.post(
        reverse("welcome:people"), people_data(("Marisol", "555 0101"), ("Dev", "+1 (555) 0102"))
    )
    assert response.status_code == 302 and response.url == reverse("welcome:group")
    people = Supporter.objects.filter(owner=owner).order_by("name")
    assert [(p.name, p.phone, p.gives_crisis, p.closeness) for p in people] == [
        ("Dev", "+1 (555) 0102", True, Closeness.INNER),
        ("Marisol", "555 0101", True, Closeness.INNER),
    ]
    assert first_run(owner).outcome(Step.PEOPLE) == "done"


def test_a_double_submit_of_people_adds_no_one_twice(owner, owner_client):
    data = people_data(("Marisol", "555 0101"))
    owner_client.post(reverse("welcome:people"), data)
    owner_client.post(reverse("welcome:people"), data)
    assert Supporter.objects.filter(owner=owner).count() == 1


def test_someone_already_in_the_network_is_marked_for_crisis_support_not_added_again(owner, owner_client):
    SupporterFactory(owner=owner, name="Marisol", phone="555-0101", gives_crisis=False)
    owner_client.post(reverse("welcome:people"), people_data(("marisol", "555 0101")))
    assert Supporter.objects.get(owner=owner).gives_crisis is True


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("Marisol", ""), "Add a phone number for Marisol"),
        (("", "555 0101"), "Add the name of the person with this number"),
        (("Marisol", "call me"), "Check this number"),
    ],
)
def test_people_step_says_what_is_wrong_with_a_row(owner, owner_client, row, message):
    response = owner_client.post(reverse("welcome:people"), people_data(row))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Supporter.objects.exists()


def test_people_step_asks_for_someone_or_a_skip(owner_client):
    response = owner_client.post(reverse("welcome:people"), people_data())
    assert response.status_code == 400 and "Add at least one person" in response.content.decode()


def test_people_step_with_crisis_people_already_can_go_on_empty(owner, owner_client):
    SupporterFactory(owner=owner, name="Marisol", phone="555 0101", gives_crisis=True)
    response = owner_client.get(reverse("welcome:people"))
    assert "Already there for a bad night" in response.content.decode()
    response = owner_client.post(reverse("welcome:people"), people_data())
    assert response.status_code == 302 and first_run(owner).outcome(Step.PEOPLE) == "done"


def test_people_formset_takes_no_more_than_three_rows(owner_client):
    data = {**people_data(("A", "555 0101")), "people-TOTAL_FORMS": "1000"}
    response = owner_client.post(reverse("welcome:people"), data)
    assert response.status_code in (302, 400)
    assert Supporter.objects.count() <= 3


# Step 3: a group or meeting


@pytest.fixture
def directory(stranger):
    shared = Meeting.objects.create(slug="serenity", name="Serenity Tuesday", weekdays=",2,", location="Library")
    private = Meeting.objects.create(owner=stranger, slug="mine", name="Serenity of the stranger", weekdays=",1,")
    return shared, private


def test_the_group_step_searches_the_shared_directory_only(owner_client, directory):
    body = owner_client.get(reverse("welcome:group"), {"q": "serenity"}).content.decode()
    assert "Serenity Tuesday" in body and "Serenity of the stranger" not in body
    assert "No meetings match" in owner_client.get(reverse("welcome:group"), {"q": "zzz"}).content.decode()


def test_joining_a_meeting_makes_it_a_group_once(owner, owner_client, directory):
    shared, _ = directory
    for _ in range(2):
        response = owner_client.post(reverse("welcome:group"), {"action": "join", "meeting": shared.pk})
        assert response.status_code == 302 and response.url == reverse("welcome:checkin")
    assert list(PeerGroup.objects.filter(owner=owner).values_list("name", flat=True)) == ["Serenity Tuesday"]
    assert first_run(owner).outcome(Step.GROUP) == "done"


def test_joining_someone_elses_meeting_or_none_joins_nothing(owner, owner_client, directory):
    _, private = directory
    for meeting in (private.pk, "99999999999999999999999", "x", ""):
        response = owner_client.post(reverse("welcome:group"), {"action": "join", "meeting": meeting})
        assert response.status_code == 302 and response.url == reverse("welcome:group")
    assert not PeerGroup.objects.exists()


def test_adding_an_own_group_once(owner, owner_client):
    for _ in range(2):
        owner_client.post(reverse("welcome:group"), {"name": "Thursday circle ", "fellowship": "smart"})
    group = PeerGroup.objects.get(owner=owner)
    assert (group.name, group.fellowship, group.time_zone) == ("Thursday circle", "smart", owner.time_zone)


def test_the_group_step_asks_for_a_group_or_a_skip(owner_client):
    response = owner_client.post(reverse("welcome:group"), {"name": "  ", "fellowship": "other"})
    assert response.status_code == 400 and "Give your group" in response.content.decode()


# Step 4: the check-in time; step 5: sharing


def test_the_check_in_step_saves_the_time_and_zone(owner, owner_client):
    response = owner_client.post(reverse("welcome:checkin"), {"checkin_time": "21:30", "time_zone": "Europe/Dublin"})
    assert response.status_code == 302 and response.url == reverse("welcome:sharing")
    owner.refresh_from_db()
    assert (owner.checkin_time, owner.time_zone) == (dt.time(21, 30), "Europe/Dublin")


def test_the_check_in_step_refuses_a_zone_not_on_the_list(owner, owner_client):
    response = owner_client.post(reverse("welcome:checkin"), {"checkin_time": "21:30", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400 and "Choose a time zone from the list" in response.content.decode()
    owner.refresh_from_db()
    assert owner.time_zone == "America/Chicago"


def test_the_sharing_step_promises_the_minimum_and_links_to_inviting(owner_client):
    body = owner_client.get(reverse("welcome:sharing")).content.decode()
    assert reverse("care:invite") in body and "on by default" in body


# Skip, finish later, resume, finish


def test_skipping_every_step_finishes_and_lands_home(owner, owner_client):
    for name in STEP_PAGES:
        response = owner_client.post(reverse(name), {"action": "skip"})
    assert response.url == reverse("home")
    run = first_run(owner)
    assert run.finished_at is not None and run.done_count == 0
    assert set(run.steps.values()) == {"skipped"}


def test_finish_later_saves_what_was_typed_and_goes_home(owner, owner_client):
    response = owner_client.post(reverse("welcome:journey"), {**journey_data(owner.local_today()), "action": "later"})
    assert response.url == reverse("home")
    run = first_run(owner)
    assert run.set_aside_at is not None and run.outcome(Step.JOURNEY) == "done"
    assert Journey.objects.filter(owner=owner).exists()


def test_finish_later_with_nothing_typed_saves_nothing(owner, owner_client):
    response = owner_client.post(reverse("welcome:people"), people_data(action="later"))
    assert response.url == reverse("home")
    run = first_run(owner)
    assert run.set_aside_at is not None and run.outcome(Step.PEOPLE) is None
    assert owner_client.post(reverse("welcome:later")).url == reverse("home")


def test_finish_later_with_a_mistake_shows_it_rather_than_losing_it(owner, owner_client):
    response = owner_client.post(reverse("welcome:people"), people_data(("Marisol", ""), action="later"))
    assert response.status_code == 400 and "Add a phone number for Marisol" in response.content.decode()


def test_resuming_continues_at_the_first_step_left(owner, owner_client):
    owner_client.post(reverse("welcome:journey"), journey_data(owner.local_today()))
    owner_client.post(reverse("welcome:people"), {"action": "skip"})
    body = owner_client.get(reverse("welcome:start")).content.decode()
    assert f'href="{reverse("welcome:group")}">Continue' in body
    assert "1 of 5 done" in body


def test_finishing_the_last_step_lands_home_with_everything_in_place(owner, owner_client):
    today = owner.local_today()
    owner_client.post(reverse("welcome:journey"), journey_data(today))
    owner_client.post(reverse("welcome:people"), people_data(("Marisol", "555 0101")))
    owner_client.post(reverse("welcome:group"), {"name": "Thursday circle", "fellowship": "aa"})
    owner_client.post(reverse("welcome:checkin"), {"checkin_time": "20:00", "time_zone": "America/Chicago"})
    response = owner_client.post(reverse("welcome:sharing"), {"action": "save"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    body = response.content.decode()
    assert "You&#x27;re set up" in body and "Continue setting up" not in body
    run = first_run(owner)
    assert run.done_count == 5 and run.finished_at is not None


def test_dismissing_hides_the_first_run(owner, owner_client):
    owner_client.post(reverse("welcome:journey"), {"action": "skip"})
    assert owner_client.post(reverse("welcome:dismiss")).url == reverse("home")
    assert first_run(owner).dismissed_at is not None
    assert "welcome-card-heading" not in owner_client.get("/").content.decode()


def test_a_step_page_reads_a_bounded_number_of_queries(owner, owner_client, django_assert_max_num_queries):
    for index in range(20):
        SupporterFactory(owner=owner, name=f"Person {index}", phone="555 0100", gives_crisis=True)
        PeerGroupFactory(owner=owner, name=f"Group {index}")
    Meeting.objects.bulk_create(Meeting(slug=f"m{n}", name=f"Serenity {n}", weekdays=",1,") for n in range(30))
    owner_client.get(reverse("welcome:start"))  # the session's first-request bookkeeping
    for name in PAGES:
        with django_assert_max_num_queries(6):
            owner_client.get(reverse(name), {"q": "serenity"})


def test_after_the_last_step_the_first_left_comes_next(owner, owner_client):
    owner_client.post(reverse("welcome:sharing"), {"action": "save"})
    response = owner_client.post(reverse("welcome:checkin"), {"action": "skip"})
    assert response.url == reverse("welcome:journey")
