"""Lessons passed on: the person in recovery suggests a lesson to people who share in their circle, who find it on
their home and the course and may set it aside; a reader may share one note back; a counselor suggests a lesson
for a client's family through the client. Privacy first: only readers of the sender, notes only when shared,
revoking cuts both at once, notifications that name no lesson."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent, Grant, Recommendation
from recovery_network.learning import content
from recovery_network.learning.models import LessonProgress, LessonSuggestion
from recovery_network.learning.notification_kinds import LessonSuggested
from recovery_network.notifications.models import Delivery, Notification
from tests.care.factories import GrantFactory
from tests.conftest import _client_for
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

SUGGEST = reverse("learning:suggest")
INDEX = reverse("learning:index")
HOME = reverse("home")
SETBACK = "after-a-setback"
WORDS = "This one says what I find hard to say."
NOTE = "I stayed calm and asked what would help. PRIVATE-READER-NOTE"


def lesson_url(slug):
    return reverse("learning:lesson", args=[slug])


def suggest(client, readers, lesson=SETBACK, message=WORDS, **extra):
    return client.post(SUGGEST, {"readers": [reader.pk for reader in readers], "lesson": lesson, "message": message,
                                 **extra})  # fmt: skip


# Suggesting


def test_the_owner_suggests_a_lesson_and_the_reader_finds_it_everywhere_it_belongs(owner_client, owner, family,
                                                                                  family_client):  # fmt: skip
    page = owner_client.get(SUGGEST).content.decode()
    assert "Fran" in page and "Who should read it?" in page and "Nothing yet." in page
    response = suggest(owner_client, [family])
    assert response.status_code == 302 and response.url == SUGGEST
    suggestion = LessonSuggestion.objects.get()
    assert (suggestion.owner, suggestion.viewer, suggestion.lesson, suggestion.message) == (owner, family, SETBACK,
                                                                                            WORDS)  # fmt: skip
    page = owner_client.get(SUGGEST).content.decode()
    assert "Fran will find “After a setback” on their home page." in page and "to Fran" in page
    title = content.lesson(SETBACK).title
    home = family_client.get(HOME).content.decode()
    assert "Learning to help" in home and f'href="{lesson_url(SETBACK)}">{title}</a>' in home and WORDS in home
    index = family_client.get(INDEX).content.decode()
    assert 'id="suggested"' in index and "from Olive" in index and WORDS in index
    lesson = family_client.get(lesson_url(SETBACK)).content.decode()
    assert "Olive suggested this lesson for you:" in lesson and WORDS in lesson


def test_the_reader_hears_once_and_discreetly(owner_client, owner, family):
    suggest(owner_client, [family])
    suggest(owner_client, [family], message="Again, in other words.")  # the same lesson: renewed, not re-told
    assert LessonSuggestion.objects.get().message == "Again, in other words."
    note = Notification.objects.get(recipient=family)
    assert note.title == "Olive suggested something for you to read"
    title = content.lesson(SETBACK).title
    assert title not in note.title + note.body and "setback" not in (note.title + note.body).lower()
    delivery = Delivery.objects.get(recipient=family, kind=LessonSuggested.key)
    assert delivery.by_email  # the reader's default: in the app and by email


def test_a_suggestion_set_aside_and_made_again_is_told_again(owner_client, owner, family, family_client):
    suggest(owner_client, [family])
    suggestion = LessonSuggestion.objects.get()
    response = family_client.post(reverse("learning:set_aside", args=[suggestion.pk]))
    assert response.status_code == 302
    assert "Olive suggested" not in family_client.get(HOME).content.decode()
    index = family_client.get(INDEX).content.decode()
    assert "Nothing suggested to you right now." in index and "Set aside (1)" in index
    suggest(owner_client, [family])
    assert Notification.objects.filter(recipient=family).count() == 2
    assert "Olive suggested" in family_client.get(HOME).content.decode()


def test_the_reader_brings_back_what_they_set_aside_and_no_one_is_told(owner_client, owner, family, family_client):
    suggest(owner_client, [family])
    suggestion = LessonSuggestion.objects.get()
    family_client.post(reverse("learning:set_aside", args=[suggestion.pk]))
    index = family_client.get(INDEX).content.decode()
    bring_back = reverse("learning:bring_back", args=[suggestion.pk])
    assert f'action="{bring_back}"' in index and content.lesson(SETBACK).title in index
    response = family_client.post(bring_back, follow=True)
    assert response.redirect_chain[-1][0] == INDEX + "#suggested"
    page = response.content.decode()
    assert "Brought back: it is with what was suggested to you again." in page
    assert "Set aside (" not in page and f'action="{bring_back}"' not in page
    assert "Olive suggested" in family_client.get(HOME).content.decode()
    suggestion.refresh_from_db()
    assert suggestion.dismissed_at is None
    assert Notification.objects.filter(recipient=family).count() == 1  # told once, when it was suggested
    assert not Notification.objects.filter(recipient=owner).exists()  # the sender hears of neither
    assert family_client.post(bring_back).status_code == 302  # again: nothing changes, nothing breaks


@pytest.mark.parametrize("role", ["owner", "counselor", "stranger"])
def test_only_the_reader_brings_a_suggestion_back(request, role, owner, family):
    suggestion = LessonSuggestion.objects.create(owner=owner, viewer=family, lesson=SETBACK)
    LessonSuggestion.objects.filter(pk=suggestion.pk).update(dismissed_at=suggestion.created_at)
    client = request.getfixturevalue(f"{role}_client")
    assert client.post(reverse("learning:bring_back", args=[suggestion.pk])).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.dismissed_at is not None


def test_nothing_is_brought_back_once_the_sender_stops_sharing(owner, family, family_client, anon_client):
    suggestion = LessonSuggestion.objects.create(owner=owner, viewer=family, lesson=SETBACK)
    LessonSuggestion.objects.filter(pk=suggestion.pk).update(dismissed_at=suggestion.created_at)
    path = reverse("learning:bring_back", args=[suggestion.pk])
    assert family_client.get(path).status_code == 405
    response = anon_client.post(path)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert "Set aside (1)" in family_client.get(INDEX).content.decode()
    sharing.revoke_grant(Grant.objects.get(owner=owner, viewer=family))
    assert "Set aside (" not in family_client.get(INDEX).content.decode()
    assert family_client.post(path).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.dismissed_at is not None


def test_only_people_who_see_what_the_owner_shares_can_be_chosen(owner_client, owner, stranger, counselor):
    # No one shares in Olive's circle here: a page posted after the last reader left says why nothing went.
    for someone in (stranger, counselor):
        response = suggest(owner_client, [someone])
        assert response.status_code == 400
        assert "Choose people who can see what you share." in response.content.decode()
    response = suggest(owner_client, [], lesson="no-such-lesson", message="x" * 301)
    page = response.content.decode()
    assert response.status_code == 400 and "Choose at least one person." in page
    assert "Choose one of the lessons in the list." in page and "longer than 300 characters" in page
    assert "x" * 301 in page  # the words are kept
    assert not LessonSuggestion.objects.exists()


def test_someone_with_no_one_in_their_circle_is_told_how_to_begin(stranger_client):
    page = stranger_client.get(SUGGEST).content.decode()
    assert "No one to pass it to yet" in page and reverse("care:invite") in page


def test_revoking_the_grant_hides_the_suggestion_at_once(owner_client, owner, family, family_client):
    suggest(owner_client, [family])
    sharing.revoke_grant(Grant.objects.get(owner=owner, viewer=family))
    assert "Olive suggested" not in family_client.get(HOME).content.decode()
    assert "Olive suggested" not in family_client.get(lesson_url(SETBACK)).content.decode()
    kind = LessonSuggested()
    suggestion = LessonSuggestion.objects.get()
    assert not kind.still_allowed(None, suggestion, None)


def test_the_owner_withdraws_and_no_one_else_can(owner_client, owner, family, family_client, stranger_client):
    suggest(owner_client, [family])
    suggestion = LessonSuggestion.objects.get()
    withdraw = reverse("learning:withdraw", args=[suggestion.pk])
    for client in (family_client, stranger_client):
        assert client.post(withdraw).status_code == 404
    assert owner_client.post(withdraw).status_code == 302
    assert not LessonSuggestion.objects.exists()
    assert "Olive suggested" not in family_client.get(HOME).content.decode()


@pytest.mark.parametrize("role", ["owner", "counselor", "stranger"])
def test_only_the_reader_sets_a_suggestion_aside(request, role, owner, family):
    suggestion = LessonSuggestion.objects.create(owner=owner, viewer=family, lesson=SETBACK)
    client = request.getfixturevalue(f"{role}_client")
    assert client.post(reverse("learning:set_aside", args=[suggestion.pk])).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.dismissed_at is None


def test_setting_aside_is_post_only_and_anonymous_is_sent_to_sign_in(anon_client, family_client, owner, family):
    suggestion = LessonSuggestion.objects.create(owner=owner, viewer=family, lesson=SETBACK)
    path = reverse("learning:set_aside", args=[suggestion.pk])
    assert family_client.get(path).status_code == 405
    response = anon_client.post(path)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    response = anon_client.get(SUGGEST)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_a_suggestion_of_a_lesson_since_removed_drops_out(owner, family, family_client):
    LessonSuggestion.objects.create(owner=owner, viewer=family, lesson="a-lesson-since-removed")
    assert family_client.get(HOME).status_code == 200
    assert "Olive suggested" not in family_client.get(INDEX).content.decode()


def test_the_suggest_page_runs_a_fixed_number_of_queries(owner, owner_client):
    counts = []
    for size in (1, 12):
        for _ in range(size - LessonSuggestion.objects.filter(owner=owner).count()):
            reader = UserFactory()
            GrantFactory(owner=owner, viewer=reader)
            LessonSuggestion.objects.create(owner=owner, viewer=reader, lesson=SETBACK)
            LessonProgress.objects.create(owner=reader, lesson=SETBACK, version=1, note="n", shared_with=owner)
        owner_client.get(SUGGEST)
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(SUGGEST)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8, counts


# Notes shared back


def test_a_note_stays_private_until_the_reader_shares_it_with_one_person(
    owner, owner_client, family, family_client, counselor_client, stranger_client
):
    family_client.post(lesson_url(SETBACK), {"note": NOTE, "done": "on", "share_with": ""})
    for client in (owner_client, counselor_client, stranger_client):
        assert "PRIVATE-READER-NOTE" not in client.get(SUGGEST).content.decode()
    response = family_client.post(lesson_url(SETBACK), {"note": NOTE, "done": "on", "share_with": owner.pk})
    assert response.status_code == 302
    assert "Olive can read it." in family_client.get(lesson_url(SETBACK)).content.decode()
    page = owner_client.get(SUGGEST).content.decode()
    assert "PRIVATE-READER-NOTE" in page and "Fran" in page and "Done" in page
    for client in (counselor_client, stranger_client):
        assert "PRIVATE-READER-NOTE" not in client.get(SUGGEST).content.decode()
    # Taken back: choosing no one again.
    family_client.post(lesson_url(SETBACK), {"note": NOTE, "done": "on", "share_with": ""})
    assert "PRIVATE-READER-NOTE" not in owner_client.get(SUGGEST).content.decode()
    assert LessonProgress.objects.get(owner=family).shared_with is None


def test_a_note_can_be_shared_only_with_someone_who_shares_with_the_reader(family, family_client, stranger,
                                                                           counselor):  # fmt: skip
    for someone in (stranger, counselor, family):
        response = family_client.post(lesson_url(SETBACK), {"note": NOTE, "share_with": someone.pk})
        page = response.content.decode()
        assert response.status_code == 400 and "Choose someone who shares with you, or no one." in page
        assert "PRIVATE-READER-NOTE" in page  # kept
    assert not LessonProgress.objects.exists()


def test_someone_no_one_shares_with_is_not_offered_to_share(stranger_client):
    page = stranger_client.get(lesson_url(SETBACK)).content.decode()
    assert "Share this note with" not in page


def test_a_shared_note_leaves_the_owners_page_when_they_stop_sharing(owner, owner_client, family, family_client):
    family_client.post(lesson_url(SETBACK), {"note": NOTE, "share_with": owner.pk})
    assert "PRIVATE-READER-NOTE" in owner_client.get(SUGGEST).content.decode()
    sharing.revoke_grant(Grant.objects.get(owner=owner, viewer=family))
    assert "PRIVATE-READER-NOTE" not in owner_client.get(SUGGEST).content.decode()


# A counselor suggests the course through the client


def test_a_counselor_suggests_a_lesson_and_the_client_chooses_whom_to_pass_it_to(owner, owner_client, counselor,
                                                                                counselor_client, family,
                                                                                family_client):  # fmt: skip
    client_page = counselor_client.get(reverse("care:client", args=[owner.pk])).content.decode()
    assert 'id="course-lesson"' in client_page and reverse("learning:for_client", args=[owner.pk]) in client_page
    response = counselor_client.post(reverse("learning:for_client", args=[owner.pk]), {"lesson": SETBACK})
    assert response.status_code == 302 and response.url.endswith("#course")
    recommendation = Recommendation.objects.get(owner=owner)
    assert recommendation.lesson == SETBACK and "After a setback" in recommendation.text
    assert AccessEvent.objects.filter(owner=owner, actor=counselor, action="recommendation_written").exists()
    # The client's home and circle page lead to passing it on, with the lesson chosen.
    link = f"{SUGGEST}?lesson={SETBACK}&amp;recommendation={recommendation.pk}"
    assert link in owner_client.get(HOME).content.decode()
    assert link in owner_client.get(reverse("care:circle")).content.decode()
    page = owner_client.get(f"{SUGGEST}?lesson={SETBACK}&recommendation={recommendation.pk}").content.decode()
    assert "Casey Counselor suggested this lesson for your family and friends" in page
    assert f'<option value="{SETBACK}" selected>' in page
    suggest(owner_client, [family], recommendation=recommendation.pk)
    recommendation.refresh_from_db()
    assert recommendation.is_done
    assert "Olive suggested" in family_client.get(HOME).content.decode()
    # The counselor sees it done, never who it went to.
    client_page = counselor_client.get(reverse("care:client", args=[owner.pk])).content.decode()
    assert "After a setback" in client_page and "done" in client_page and "Fran" not in client_page


def test_a_counselor_choosing_no_lesson_is_told_and_nothing_is_sent(owner, counselor_client):
    response = counselor_client.post(reverse("learning:for_client", args=[owner.pk]), {"lesson": "nope"}, follow=True)
    assert "Choose one of the lessons in the list; nothing was sent." in response.content.decode()
    assert not Recommendation.objects.filter(owner=owner).exists()


@pytest.mark.parametrize("role", ["family", "stranger", "owner"])
def test_only_the_clients_counselor_may_suggest_the_course_to_them(request, role, owner):
    client = request.getfixturevalue(f"{role}_client")
    response = client.post(reverse("learning:for_client", args=[owner.pk]), {"lesson": SETBACK})
    assert response.status_code == 404 and not Recommendation.objects.exists()


def test_a_counselor_without_the_second_factor_is_asked_for_it(owner, counselor):
    client = sign_in(__import__("django.test", fromlist=["Client"]).Client(), counselor, two_factor=False)
    response = client.post(reverse("learning:for_client", args=[owner.pk]), {"lesson": SETBACK})
    assert response.status_code == 403 and not Recommendation.objects.exists()


def test_a_revoked_consent_ends_the_counselors_suggestions(owner, counselor, counselor_client):
    sharing.revoke_consent(counselor.consents_held.get())
    response = counselor_client.post(reverse("learning:for_client", args=[owner.pk]), {"lesson": SETBACK})
    assert response.status_code == 404


def test_another_persons_recommendation_id_is_ignored(owner, owner_client, family, stranger, counselor):
    others = Recommendation.objects.create(owner=stranger, counselor=counselor, counselor_name="C", text="t",
                                           lesson=SETBACK)  # fmt: skip
    page = owner_client.get(f"{SUGGEST}?recommendation={others.pk}").content.decode()
    assert "suggested this lesson for your family" not in page
    suggest(owner_client, [family], recommendation=others.pk)
    others.refresh_from_db()
    assert not others.is_done


def test_the_notification_kind_is_offered_to_people_others_share_with(owner, family, stranger):
    kind = LessonSuggested()
    assert kind.offered_to(family.__class__.objects.get(pk=family.pk))
    assert not kind.offered_to(stranger)
    page = _client_for(family).get(reverse("notifications:preferences")).content.decode()
    assert "Lessons suggested to you" in page
