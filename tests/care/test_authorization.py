"""The authorization matrix: every URL of the app, for every kind of person.

owner; family (a default grant, and one with every scope); counselor (valid consent,
expired, revoked, valid but without two-factor, and valid with two-factor on the account
but a session signed in with the password alone); an unrelated stranger; anonymous.
Whatever a person may open, the owner's private words never reach anyone but the owner,
and the owner's objects are a 404 for everyone else. A new URL without a row here fails
`test_every_url_is_in_the_matrix`.
"""

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from recovery_network.care.consent_requests import ask_for_consent
from recovery_network.care.sharing import invitation_token
from recovery_network.learning.models import LessonSuggestion
from recovery_network.privacy.exporting import build as build_export
from recovery_network.privacy.exporting import request_export
from recovery_network.reach.models import AlertContact
from recovery_network.reach.services import raise_alert
from recovery_network.review.models import NetworkReview
from recovery_network.review.services import begin_review
from supports.models import Meeting
from tests.care.conftest import OWNER_ONLY, PRIVATE, SCOPED, client_for
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

ROLES = [
    "owner",
    "family",
    "family_everything",
    "counselor",
    "counselor_expired",
    "counselor_revoked",
    "counselor_no_2fa",
    "counselor_password_only",
    "stranger",
    "anonymous",
]
NOT_OWNER = [role for role in ROLES if role not in ("owner", "anonymous")]

# Pages anyone may open.
# (The offline page shows a signed-in person their own crisis supporters, and no one else's.)
PUBLIC = ["home", "crisis", "healthz", "healthz_web", "care:how_to_help", "offline", "manifest", "service_worker",
          "privacy:erase_requested"]  # fmt: skip
# Pages every signed-in person has for themselves: no one sees the owner's data there.
OWN_PAGES = [
    "profile",
    "supports:index",
    "supports:supporter_create",
    "supports:supporter_archived",
    "supports:contact_create",
    "supports:group_list",
    "supports:group_create",
    "supports:meeting_list",
    "supports:meeting_import",
    "supports:community_list",
    "supports:map",
    "supports:gaps",
    "care:circle",
    "care:invite",
    "care:consent_create",
    "care:consent_request_create",
    "care:access_log",
    "care:warning_signs",
    "milestones:overview",
    "milestones:checkin",
    "milestones:checkin_supporters",
    "milestones:checkin_groups",
    "milestones:checkins",
    "milestones:journey_create",
    "milestones:goal_create",
    "milestones:trends",
    "milestones:calendar",
    "capital:overview",
    "learning:index",
    "capital:new",
    "notifications:index",
    "notifications:preferences",
    "welcome:start",
    "welcome:journey",
    "welcome:people",
    "welcome:group",
    "welcome:checkin",
    "welcome:sharing",
    "reach:now",
    "reach:people",
    "reach:history",
    "privacy:index",
    "privacy:export",
    "privacy:erase",
    "privacy:import",
    "review:start",
    "learning:suggest",
]
# Actions on the person's own account (POST only): nothing of the owner's is involved.
OWN_ACTIONS = [
    "supports:snapshot_create",
    "notifications:read_all",
    "notifications:pause",
    "welcome:later",
    "welcome:dismiss",
    "review:begin",
]
# The owner's objects: 404 for everyone else, GET and POST alike.
OWNER_OBJECT_PAGES = {
    "supports:supporter_detail": lambda w: [w["supporter"].pk],
    "supports:supporter_edit": lambda w: [w["supporter"].pk],
    "supports:supporter_contact_create": lambda w: [w["supporter"].pk],
    "supports:contact_delete": lambda w: [w["contact"].pk],
    "supports:group_detail": lambda w: [w["group"].pk],
    "supports:group_edit": lambda w: [w["group"].pk],
    "supports:community_edit": lambda w: [w["activity"].pk],
    "supports:community_delete": lambda w: [w["activity"].pk],
    "care:grant_edit": lambda w: [w["grant"].pk],
    "milestones:checkin_detail": lambda w: [(w["today"] - __import__("datetime").timedelta(days=1)).isoformat()],
    "milestones:journey": lambda w: [w["journey"].pk],
    "milestones:journey_edit": lambda w: [w["journey"].pk],
    "milestones:setback_create": lambda w: [w["journey"].pk],
    "milestones:celebrate": lambda w: [w["journey"].pk, "d90"],
    "milestones:goal_celebrate": lambda w: [w["goal"].pk],
    "notifications:open": lambda w: [w["notification"].pk],
    "reach:alert": lambda w: [w["alert"].pk],
    "reach:alert_live": lambda w: [w["alert"].pk],
    "privacy:export_status": lambda w: [w["export"].pk],
    "privacy:export_live": lambda w: [w["export"].pk],
    "privacy:export_download": lambda w: [w["export"].pk],
    "review:people": lambda w: [w["review"].pk],
    "review:groups": lambda w: [w["review"].pk],
    "review:community": lambda w: [w["review"].pk],
    "review:gaps": lambda w: [w["review"].pk],
    "review:finish": lambda w: [w["review"].pk],
    "review:changes": lambda w: [w["finished_review"].pk],
}
OWNER_OBJECT_ACTIONS = {
    "supports:supporter_archive": lambda w: [w["supporter"].pk],
    "supports:supporter_restore": lambda w: [w["supporter"].pk],
    "supports:group_attend": lambda w: [w["group"].pk],
    "supports:group_archive": lambda w: [w["group"].pk],
    "supports:group_restore": lambda w: [w["group"].pk],
    "supports:meeting_join": lambda w: [w["uploaded_meeting"].pk],
    "care:invitation_withdraw": lambda w: [w["invitation"].pk],
    "care:grant_revoke": lambda w: [w["grant"].pk],
    "care:consent_revoke": lambda w: [w["consent"].pk],
    "care:consent_request_withdraw": lambda w: [w["consent_request"].pk],
    "care:recommendation_done": lambda w: [w["recommendation"].pk],
    "milestones:goal_delete": lambda w: [w["goal"].pk],
    "reach:ask": lambda w: [w["supporter"].pk],
    "reach:withdraw": lambda w: [w["alert_contact"].pk],
    "reach:move": lambda w: [w["alert_contact"].pk],
    "reach:close": lambda w: [w["alert"].pk],
    "learning:withdraw": lambda w: [w["lesson_suggestion"].pk],
}
# Links whose token is the key (no sign-in): a wrong token opens nothing.
TOKEN_LINKS = ["milestones:calendar_feed", "notifications:unsubscribe", "supports:reached_out", "reach:request",
               "reach:answer", "reach:stop"]  # fmt: skip
# Shared pages: what each role gets (GET pages, POST actions with an empty form).
SHARED = {
    "care:person": (
        "GET",
        {"family": 200, "family_everything": 200},
    ),
    "care:person_encourage": ("POST", {"family": 400, "family_everything": 400}),
    "care:client": ("GET", {"counselor": 200, "counselor_no_2fa": 403, "counselor_password_only": 403}),
    "care:client_report": ("GET", {"counselor": 200, "counselor_no_2fa": 403, "counselor_password_only": 403}),
    "care:client_recommend": ("POST", {"counselor": 400, "counselor_no_2fa": 403, "counselor_password_only": 403}),
    "review:client_latest": ("GET", {"counselor": 200, "counselor_no_2fa": 403, "counselor_password_only": 403}),
    # An empty choice of lesson: back to the client's page, saying so (tests/learning/test_suggestions.py).
    "learning:for_client": ("POST", {"counselor": 302, "counselor_no_2fa": 403, "counselor_password_only": 403}),
}
# The style guide holds no one's data and is a 404 unless DEBUG (tests/recovery_network/test_styleguide.py).
# A missed day's check-in is each person's own day, whatever its date (tests/milestones/test_late_checkin.py).
# A consent request's link answers only its client (tests/care/test_consent_requests.py).
# Renewing a consent: its client, or asked by its counselor (tests/care/test_consent_renewal.py).
# A counselor's records of consents that ended, behind two-factor (tests/care/test_consent_records.py).
# A client's network review by id (two ids): tests/review/test_changes_counselor.py.
# A lesson of the family course, by its slug: open to anyone signed in, each reading and writing only their own
# note (tests/learning/test_views.py asks it of every role). A lesson suggested to someone is set aside and brought
# back by them alone (tests/learning/test_suggestions.py asks both of every role). Django's set_language holds no
# one's data: it sets the language cookie for the sign-in pages' switch (tests/recovery_network/test_languages.py).
SPECIAL = ["care:caseload", "care:consent_detail", "care:invitation", "styleguide", "milestones:checkin_day",
           "care:consent_request", "care:consent_request_sign", "care:consent_renew",
           "care:consent_ask_renewal", "care:consent_records", "review:client_changes", "learning:lesson",
           "learning:set_aside", "learning:bring_back", "set_language"]  # fmt: skip


def _url_names(resolver=None, namespace=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "accounts/")):
                continue  # Django's admin and allauth: tested by their projects and tests/recovery_network.
            yield from _url_names(pattern, pattern.namespace or namespace)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_in_the_matrix():
    covered = set(
        PUBLIC + OWN_PAGES + OWN_ACTIONS + TOKEN_LINKS + SPECIAL
        + list(OWNER_OBJECT_PAGES) + list(OWNER_OBJECT_ACTIONS) + list(SHARED)
    )  # fmt: skip
    assert set(_url_names()) - covered == set()


@pytest.fixture
def matrix(world, people, grant, consent, recommendation, pending_invitation, owner):
    # Any account may ask someone for consent: this request is the owner's own, to someone else.
    in_a_month = owner.local_today() + __import__("datetime").timedelta(days=30)
    consent_request = ask_for_consent(owner, "someone@example.org", scopes={"clean_time"}, recipient_name="Olive",
                                      organisation="Own practice", purpose="Care", expires_on=in_a_month)  # fmt: skip
    world.update(
        grant=grant,
        consent=consent,
        recommendation=recommendation,
        invitation=pending_invitation,
        consent_request=consent_request,
        uploaded_meeting=Meeting.objects.create(owner=owner, slug="mine", name="My uploaded meeting", weekdays=",1,"),
        alert_contact=AlertContact.objects.create(owner=owner, supporter=world["supporter"], status="accepted",
                                                  email="maya@example.net", night_alerts=True),
    )  # fmt: skip
    world["alert"] = raise_alert(owner, "PRIVATE-ALERT-WORDS")[0]
    today = owner.local_today()
    world["finished_review"] = NetworkReview.objects.create(owner=owner, started_on=today, finished_on=today,
                                                            finished_at=timezone.now())  # fmt: skip
    world["review"] = begin_review(owner)[0]  # one open review at a time: begun after the finished one
    world["lesson_suggestion"] = LessonSuggestion.objects.create(owner=owner, viewer=people["family"],
                                                                 lesson="after-a-setback")  # fmt: skip
    world["export"] = request_export(owner, lambda export_id: None)
    build_export(world["export"].pk)
    clients = {role: client_for(user) for role, user in people.items()}
    clients["counselor_password_only"] = sign_in(Client(), people["counselor_password_only"], two_factor=False)
    clients["anonymous"] = __import__("django.test", fromlist=["Client"]).Client()
    return world, clients


def assert_nothing_private(response, role, scoped_allowed=False, scopes=()):
    """Nothing private, nothing the owner keeps to themselves, and nothing scoped beyond `scopes` (or, with
    `scoped_allowed`, any scope)."""
    assert response.status_code < 500, role
    if role == "owner":
        return
    body = response.content.decode()
    scoped = [] if scoped_allowed else [marker for scope, marker in SCOPED.items() if scope not in scopes]
    for marker in PRIVATE + OWNER_ONLY + scoped:
        assert marker not in body, f"{role} saw {marker!r} at {response.request['PATH_INFO']}"


def assert_sent_to_sign_in(response):
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_show_no_one_elses_data(matrix, role):
    _, clients = matrix
    for name in PUBLIC:
        response = clients[role].get(reverse(name))
        assert response.status_code in (200, 503), name  # healthz may report a missing worker
        # A family member's home shows the people who share with them: their clean time, nothing more.
        home_of_family = name == "home" and role in ("family", "family_everything")
        assert_nothing_private(response, role, scopes={"clean_time"} if home_of_family else ())


@pytest.mark.parametrize("role", ROLES)
def test_own_pages_are_each_persons_own(matrix, role):
    _, clients = matrix
    for name in OWN_PAGES:
        response = clients[role].get(reverse(name))
        if role == "anonymous":
            assert_sent_to_sign_in(response)
        elif name in ("care:consent_create", "privacy:export", "privacy:erase"):  # the password first
            assert response.status_code == 302 and "reauthenticate" in response.url
        else:
            assert response.status_code == 200, (name, role)
        assert_nothing_private(response, role)
    for name in OWN_ACTIONS:
        response = clients[role].get(reverse(name))
        assert response.status_code == (302 if role == "anonymous" else 405), (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_the_owners_objects_are_a_404_for_everyone_else(matrix, role):
    world, clients = matrix
    for name, args in OWNER_OBJECT_PAGES.items():
        response = clients[role].get(reverse(name, args=args(world)))
        if role == "owner":
            assert response.status_code == (302 if name == "notifications:open" else 200), name
        elif role == "anonymous":
            assert_sent_to_sign_in(response)
        else:
            assert response.status_code == 404, (name, role)
            assert_nothing_private(response, role)


@pytest.mark.parametrize("role", [*NOT_OWNER, "anonymous"])
def test_no_one_else_can_act_on_the_owners_objects(matrix, role):
    world, clients = matrix
    for name, args in OWNER_OBJECT_ACTIONS.items():
        response = clients[role].post(reverse(name, args=args(world)))
        if role == "anonymous":
            assert_sent_to_sign_in(response)
        else:
            assert response.status_code == 404, (name, role)
    world["grant"].refresh_from_db()
    world["consent"].refresh_from_db()
    world["supporter"].refresh_from_db()
    assert world["grant"].revoked_at is None and world["consent"].revoked_at is None
    assert world["supporter"].archived_at is None


def test_the_owner_can_act_on_their_objects(matrix):
    world, clients = matrix
    for name, args in OWNER_OBJECT_ACTIONS.items():
        response = clients["owner"].post(reverse(name, args=args(world)))
        assert response.status_code in (200, 302, 400), name


@pytest.mark.parametrize("role", ROLES)
def test_token_links_with_a_wrong_token_open_nothing(matrix, role):
    _, clients = matrix
    for name in TOKEN_LINKS:
        response = clients[role].get(reverse(name, args=["not-a-real-token"]))
        assert response.status_code in (400, 404, 410), (name, role)
        assert_nothing_private(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_shared_pages_open_only_for_the_right_person_and_state(matrix, role):
    world, clients = matrix
    owner_id = world["journey"].owner_id
    for name, (method, allowed) in SHARED.items():
        url = reverse(name, args=[owner_id])
        response = clients[role].get(url) if method == "GET" else clients[role].post(url, {})
        if role == "anonymous":
            assert_sent_to_sign_in(response)
            continue
        assert response.status_code == allowed.get(role, 404), (name, role)
        assert_nothing_private(response, role, scoped_allowed=response.status_code in (200, 400))


@pytest.mark.parametrize("role", ROLES)
def test_caseload_lists_only_valid_consents_and_needs_two_factor(matrix, role):
    world, clients = matrix
    response = clients[role].get(reverse("care:caseload"))
    if role == "anonymous":
        assert_sent_to_sign_in(response)
        return
    with_two_factor = role in ("counselor", "counselor_expired", "counselor_revoked")
    assert response.status_code == (200 if with_two_factor else 403)
    listed = reverse("care:client", args=[world["journey"].owner_id]) in response.content.decode()
    assert listed == (role == "counselor")
    assert_nothing_private(response, role, scoped_allowed=True)


@pytest.mark.parametrize("role", ROLES)
def test_the_signed_consent_is_for_its_two_parties_only(matrix, role):
    world, clients = matrix
    response = clients[role].get(reverse("care:consent_detail", args=[world["consent"].pk]))
    if role == "anonymous":
        assert_sent_to_sign_in(response)
    else:
        assert response.status_code == (200 if role in ("owner", "counselor") else 404), role
    assert_nothing_private(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_an_invitation_link_answers_only_its_invitee(matrix, role):
    world, clients = matrix
    response = clients[role].get(reverse("care:invitation", args=[invitation_token(world["invitation"])]))
    assert response.status_code == (200 if role == "anonymous" else 403), role
    assert_nothing_private(response, role)
    if role == "anonymous":
        assert "Olive" not in response.content.decode()  # who invited whom stays with the invitee
