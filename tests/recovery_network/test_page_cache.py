"""Cached pages change the moment what they show changes, and never carry one browser's token to another.

Each test first renders a page (so the cache holds it), then changes the data the way
the app or a bulk path does, and asks again: the new state must show at once.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.db.models import ForeignKey
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from milestones.models import CheckIn
from recovery_network import page_cache
from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent, Consent, Grant
from recovery_network.models import User
from recovery_network.notifications import dispatch as reminders
from supports.models import Contact, MeetingTime, Supporter
from tests.factories import UserFactory
from tests.supports.factories import PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db


MARKER = re.compile(r"csrf-[0-9a-f]{32}")


def token_in(body):
    return body.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def page(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def version(user):
    return User.objects.values_list("data_version", flat=True).get(pk=user.pk)


def test_a_supporter_saved_shows_on_the_cached_map_at_once(owner, owner_client):
    assert "Rowan" not in page(owner_client, "supports:map")
    SupporterFactory(owner=owner, name="Rowan")
    assert "Rowan" in page(owner_client, "supports:map")


def test_a_queryset_update_and_delete_show_at_once(owner, owner_client):
    supporter = SupporterFactory(owner=owner, name="Rowan")
    assert "Rowan" in page(owner_client, "supports:map")
    Supporter.objects.filter(pk=supporter.pk).update(name="Sage")
    assert "Sage" in page(owner_client, "supports:map")
    Supporter.objects.filter(pk=supporter.pk).delete()
    assert "Sage" not in page(owner_client, "supports:map")


def test_bulk_create_bumps_the_owners_even_through_a_parent(owner):
    before = version(owner)
    Supporter.objects.bulk_create([Supporter(owner=owner, name="Bulk")])
    assert version(owner) == before + 1
    group = PeerGroupFactory(owner=owner)
    before = version(owner)
    MeetingTime.objects.bulk_create([MeetingTime(group=group, weekday=2, start_time=dt.time(19))])
    assert version(owner) == before + 1


def test_what_helped_links_bump_the_owner(owner):
    supporter = SupporterFactory(owner=owner)
    checkin = CheckIn.objects.create(owner=owner, local_date=owner.local_today(), sober="yes")
    before = version(owner)
    checkin.helped_supporters.add(supporter)
    assert version(owner) == before + 1


def test_another_persons_change_leaves_my_pages_alone(owner, stranger):
    before = version(owner)
    SupporterFactory(owner=stranger)
    assert version(owner) == before


def test_the_profile_shows_at_once_and_a_stale_copy_cannot_roll_the_version_back(owner, owner_client):
    assert "8:00 PM" in page(owner_client, "home")
    stale = User.objects.get(pk=owner.pk)
    SupporterFactory(owner=owner)  # bumps the row; `stale` still holds the older number
    stale.checkin_time = dt.time(9, 30)
    stale.save()
    assert version(owner) >= stale.data_version + 2  # the supporter's bump survived the full save
    assert "9:30 AM" in page(owner_client, "home")


def test_a_direct_update_of_a_name_bumps_in_the_same_statement(owner):
    before = version(owner)
    User.objects.filter(pk=owner.pk).update(display_name="Renamed")
    assert version(owner) == before + 1
    User.objects.filter(pk=owner.pk).update(last_login=timezone.now())  # bookkeeping: no page shows it
    assert version(owner) == before + 1


def test_looking_at_someones_data_does_not_bump_their_pages(owner, family, family_client):
    before = version(owner)
    page(family_client, "care:person", owner.pk)
    assert AccessEvent.objects.filter(owner=owner, actor=family).exists()
    assert version(owner) == before


def test_family_view_follows_the_owner_and_the_scopes_at_once(owner, family, family_client):
    SupporterFactory(owner=owner, name="Rowan")
    assert "Rowan" not in page(family_client, "care:person", owner.pk)  # the map is not shared yet
    grant = owner.grants_given.get(viewer=family)
    sharing.change_scopes(grant, {"clean_time", "support_map"})
    assert "Rowan" in page(family_client, "care:person", owner.pk)
    Supporter.objects.filter(owner=owner, name="Rowan").update(name="Sage")
    body = page(family_client, "care:person", owner.pk)
    assert "Sage" in body and "Rowan" not in body
    sharing.change_scopes(grant, {"clean_time"})
    assert "Sage" not in page(family_client, "care:person", owner.pk)


def test_each_browser_gets_its_own_csrf_token_from_the_cached_form(owner):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (first, second):
        client.force_login(owner)
    first_page = page(first, "milestones:checkin")  # renders and caches the form
    second_page = page(second, "milestones:checkin")  # served from the cache
    assert not MARKER.search(first_page + second_page)
    token = token_in(second_page)
    response = second.post(reverse("milestones:checkin"), {"csrfmiddlewaretoken": token, "sober": "yes", "mood": "4"})
    assert response.status_code == 302
    assert CheckIn.objects.filter(owner=owner).count() == 1


def test_today_turns_over_at_the_persons_own_midnight(owner, owner_client):
    zone = owner.zone
    late = dt.datetime(2026, 3, 7, 23, 50, tzinfo=zone)
    with time_machine.travel(late, tick=False):
        CheckIn.objects.create(owner=owner, local_date=late.date(), sober="yes", mood=4)
        assert "You've checked in today" in page(owner_client, "home")
    with time_machine.travel(late + dt.timedelta(minutes=20), tick=False):  # 00:10, same quarter hour bucket
        assert "You've checked in today" not in page(owner_client, "home")


def test_a_contact_falling_due_shows_within_a_quarter_hour(owner, owner_client):
    start = dt.datetime(2026, 5, 5, 15, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        supporter = SupporterFactory(owner=owner, name="Rowan", closeness=1, contact_every_days=7)
        Contact.objects.create(owner=owner, supporter=supporter, happened_at=start - dt.timedelta(days=7, minutes=-5))
        supporter.refresh_contact_state()  # due five minutes from now
        assert "Rowan" not in page(owner_client, "home")
    with time_machine.travel(start + dt.timedelta(minutes=15), tick=False):
        assert "Rowan" in page(owner_client, "home")


def test_with_the_cache_off_pages_render_every_time(owner, owner_client, settings):
    settings.PAGE_CACHE = False
    page(owner_client, "supports:map")
    Supporter.objects.bulk_create([Supporter(owner=owner, name="Quiet")])
    assert "Quiet" in page(owner_client, "supports:map")


def test_every_model_owned_by_a_person_is_watched():
    """A new model with an `owner` is caught here unless its queryset says whose it is."""
    from django.apps import apps

    watched = set(page_cache.owned_models())
    # The access log (and a caseload roster's entries, part of it) is written by others' looks;
    # the calendar feed's secret shows on no cached page, nor does the receipt of a check-in sent from a phone
    # (the check-in it saved is watched); nor does a download of one's data or a request to be erased.
    unwatched_on_purpose = {
        "privacy.Export",
        "privacy.Erasure",
        "care.AccessEvent",
        "care.RosterEntry",
        "milestones.CalendarFeed",
        "milestones.CheckInReceipt",
    }
    for model in apps.get_models():
        owner_field = next(
            (f for f in model._meta.get_fields() if f.name == "owner" and isinstance(f, ForeignKey)), None
        )
        if owner_field is None or owner_field.related_model is not User:
            continue
        if model._meta.label in unwatched_on_purpose or model._meta.label == "supports.Meeting":
            continue  # the shared meeting directory: shown on no cached page
        assert model in watched, f"{model._meta.label} changes a person's pages but is not watched"


def test_unrelated_person_still_gets_404_from_the_cached_family_view(owner, family_client, family, stranger):
    page(family_client, "care:person", owner.pk)
    other = Client()
    other.force_login(stranger)
    assert other.get(reverse("care:person", args=[owner.pk])).status_code == 404


def test_revoking_cuts_the_cached_family_view_at_once(owner, family, family_client):
    page(family_client, "care:person", owner.pk)
    sharing.revoke_grant(owner.grants_given.get(viewer=family))
    assert family_client.get(reverse("care:person", args=[owner.pk])).status_code == 404


def test_a_new_person_starts_at_version_zero():
    assert UserFactory().data_version == 0


@pytest.mark.services
def test_the_redis_cache_keeps_one_client_per_pool():
    import os

    from recovery_network.cache import RedisCache

    cache = RedisCache(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), {"KEY_PREFIX": "test-client-reuse"})
    cache.set("page", "<p>hello</p>", 30)
    assert cache.get("page") == "<p>hello</p>"
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.delete("page")


def test_what_a_viewer_sent_shows_at_once_and_only_to_them(owner, family, family_client):
    from tests.care.factories import GrantFactory

    other = UserFactory(display_name="Other viewer")
    GrantFactory(owner=owner, viewer=other)
    other_client = Client()
    other_client.force_login(other)
    assert "You sent recently" not in page(family_client, "care:person", owner.pk)
    page(other_client, "care:person", owner.pk)
    response = family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"message": "Proud of you"})
    assert response.status_code == 302
    assert "Proud of you" in page(family_client, "care:person", owner.pk)
    assert "Proud of you" not in page(other_client, "care:person", owner.pk)


def test_a_cascade_bumps_once(owner):
    from supports.models import Attendance, PeerGroup

    group = PeerGroupFactory(owner=owner)
    today = owner.local_today()
    Attendance.objects.bulk_create(
        [Attendance(owner=owner, group=group, attended_on=today - dt.timedelta(days=d)) for d in range(5)]
    )
    before = version(owner)
    group.delete()
    assert version(owner) == before + 1
    other = PeerGroupFactory(owner=owner)
    Attendance.objects.bulk_create([Attendance(owner=owner, group=other, attended_on=today)])
    before = version(owner)
    PeerGroup.objects.filter(owner=owner).delete()  # the queryset's own bump, none per cascaded row
    assert version(owner) == before + 1


def test_the_release_fingerprint_follows_the_templates_and_code(settings, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>one</p>")
    for app in ("recovery_network", "supports", "milestones"):
        (tmp_path / app).mkdir()
    settings.BASE_DIR, settings.TEMPLATES = tmp_path, [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]
    (tmp_path / "locale" / "es" / "LC_MESSAGES").mkdir(parents=True)
    catalogue = tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"
    catalogue.write_text('msgid "one"\nmsgstr "uno"\n')
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    first = page_cache._release_fingerprint()
    assert page_cache._release_fingerprint() == first  # the same files, wherever and whenever read
    (tmp_path / "supports" / "views.py").write_text("x = 1")
    second = page_cache._release_fingerprint()
    (tmp_path / "templates" / "page.html").write_text("<p>two</p>")
    third = page_cache._release_fingerprint()
    catalogue.write_text('msgid "one"\nmsgstr "una"\n')  # a translation revised
    assert len({first, second, third, page_cache._release_fingerprint()}) == 4


def test_a_partly_loaded_person_saves_what_was_loaded(owner, django_assert_max_num_queries):
    partial = User.objects.only("id", "display_name").get(pk=owner.pk)
    partial.display_name = "Renamed"
    with django_assert_max_num_queries(2):  # the save and the bump, no reloading of deferred fields
        partial.save()
    owner.refresh_from_db()
    assert owner.display_name == "Renamed" and owner.email == "owner@example.org"


# What stays outside the cached parts: tokens, messages, the navigation


def test_a_cached_page_carries_each_browsers_own_token_and_the_cache_holds_none(owner, family):
    import pickle

    from django.core.cache import cache

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (first, second):
        client.force_login(family)
    first_page = page(first, "care:person", owner.pk)  # renders and keeps what is shared
    second_page = page(second, "care:person", owner.pk)  # from the cache
    tokens = [token_in(body) for body in (first_page, second_page)]
    assert tokens[0] != tokens[1]
    kept = [pickle.loads(value) for value in cache._cache.values()]
    assert kept and not [value for value in kept if tokens[0] in str(value) or tokens[1] in str(value)]
    response = second.post(
        reverse("care:person_encourage", args=[owner.pk]), {"csrfmiddlewaretoken": tokens[1], "message": "Hi"}
    )
    assert response.status_code == 302


def test_a_message_shows_once_on_a_cached_page_and_is_not_kept(owner, family, family_client):
    page(family_client, "care:person", owner.pk)  # the page is in the cache
    response = family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"message": "Proud of you"})
    after = family_client.get(response.url).content.decode()
    assert "will see it on their home page" in after
    again = page(family_client, "care:person", owner.pk)
    assert "will see it on their home page" not in again and "Proud of you" in again


def test_the_nav_of_a_cached_page_follows_the_unread_count(owner, family, family_client):
    assert "nav-count" not in page(family_client, "care:person", owner.pk)
    User.objects.filter(pk=family.pk).update(unread_notifications=3)
    assert '<span class="nav-count">3<' in page(family_client, "care:person", owner.pk)


def test_a_whole_page_is_one_persons_even_with_the_same_scopes(owner, family, family_client):
    from tests.care.factories import GrantFactory

    other = UserFactory(display_name="Other viewer")
    GrantFactory(owner=owner, viewer=other)
    User.objects.filter(pk=family.pk).update(unread_notifications=7)
    assert '<span class="nav-count">7<' in page(family_client, "care:person", owner.pk)
    other_client = Client()
    other_client.force_login(other)
    assert "nav-count" not in page(other_client, "care:person", owner.pk)


def test_each_look_at_a_cached_page_is_logged(owner, family, family_client):
    for _ in range(3):
        page(family_client, "care:person", owner.pk)
    assert AccessEvent.objects.filter(owner=owner, actor=family, action="viewed").count() == 3


# Text a person typed is never taken for a reader's CSRF token


@pytest.mark.parametrize("typed", ["csrf-placeholder-5b1f0c", "csrf-0123456789abcdef0123456789abcdef"])
def test_text_typed_into_a_cached_page_is_never_swapped_for_the_readers_token(owner, family, typed):
    """An encouragement holding the old fixed marker once showed its recipient their own CSRF token."""
    access = sharing.find_access(family, owner.pk)
    sharing.send_encouragement(access, message=f"before {typed} after")
    owner_client = Client()
    owner_client.force_login(owner)
    rendered = page(owner_client, "home")  # rendered and kept
    served = page(owner_client, "home")  # from the cache
    for body in (rendered, served):
        assert f"before {typed} after" in body
        assert body.count(token_in(body)) == body.count('name="csrfmiddlewaretoken"')  # only in the forms


# A choice among one's own supporters is kept rendered, and follows every change


@pytest.mark.parametrize(
    "name", ["supports:contact_create", "care:invite", "supports:group_create", "milestones:setback_create"]
)
def test_a_choice_of_ones_supporters_shows_a_new_one_at_once(owner, owner_client, name):
    from milestones.models import Journey

    today = owner.local_today()
    journey = Journey.objects.create(owner=owner, kind="alcohol", first_started_on=today, started_on=today)
    args = [journey.pk] if name == "milestones:setback_create" else []
    SupporterFactory(owner=owner, name="Rowan", relationship="friend")
    assert "Rowan" in page(owner_client, name, *args)
    SupporterFactory(owner=owner, name="Sage", relationship="friend")
    body = page(owner_client, name, *args)
    assert "Rowan" in body and "Sage" in body
    Supporter.objects.filter(owner=owner, name="Sage").update(name="Skye")
    body = page(owner_client, name, *args)
    assert "Skye" in body and "Sage" not in body


# Reminder settings: kept under the person's data_version, which a grant or consent naming them moves ------------

CIRCLE_KIND = "<legend>Milestones of people you support</legend>"
DIGEST_KIND = "<legend>Weekly caseload digest</legend>"


def test_reminder_settings_offer_the_circles_kinds_the_moment_an_invitation_is_accepted_and_stop_on_revoking(
    owner, stranger
):
    client = Client()
    client.force_login(stranger)
    assert CIRCLE_KIND not in page(client, "notifications:preferences")  # kept now
    invitation = sharing.invite(owner, stranger.email, scopes={"clean_time"})
    sharing.accept_invitation(invitation, stranger)
    assert CIRCLE_KIND in page(client, "notifications:preferences")
    sharing.revoke_grant(Grant.objects.get(owner=owner, viewer=stranger))  # a queryset UPDATE
    assert CIRCLE_KIND not in page(client, "notifications:preferences")
    grant = Grant.objects.create(owner=owner, viewer=stranger, clean_time=True)  # a model save
    assert CIRCLE_KIND in page(client, "notifications:preferences")
    Grant.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
    assert CIRCLE_KIND not in page(client, "notifications:preferences")


def test_reminder_settings_follow_a_consent_naming_a_counselor_by_save_update_and_delete(owner, stranger):
    from tests.care.factories import ConsentFactory

    client = Client()
    client.force_login(stranger)
    assert DIGEST_KIND not in page(client, "notifications:preferences")
    consent = ConsentFactory(owner=owner, counselor=None)  # signed, not yet accepted: names no one
    assert DIGEST_KIND not in page(client, "notifications:preferences")
    Consent.objects.filter(pk=consent.pk).update(counselor=stranger)  # the person it now names is bumped too
    assert DIGEST_KIND in page(client, "notifications:preferences")
    sharing.revoke_consent(consent)
    assert DIGEST_KIND not in page(client, "notifications:preferences")
    second = ConsentFactory(owner=owner, counselor=stranger)  # a model save
    assert DIGEST_KIND in page(client, "notifications:preferences")
    Consent.objects.filter(pk=second.pk).delete()
    assert DIGEST_KIND not in page(client, "notifications:preferences")


def email_box(body, key):
    """The 'by email' checkbox of one kind on the reminder settings page."""
    return re.search(rf'<input type="checkbox" name="{key}_email"[^>]*>', body).group(0)


def test_reminder_settings_show_a_choice_changed_elsewhere_at_once(owner, owner_client):
    assert "checked" in email_box(page(owner_client, "notifications:preferences"), "checkin")  # kept now
    before = version(owner)
    reminders.set_channels(owner, "checkin", by_email=False, in_app=True)  # as an unsubscribe link does
    assert version(owner) > before
    assert "checked" not in email_box(page(owner_client, "notifications:preferences"), "checkin")
