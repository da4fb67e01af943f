"""The circle of care: who may see what of an owner's recovery, and the record of every look.

`open_shared_or_404` is the one door through which anyone other than the owner
reaches the owner's data. It checks the grant (family and friends) or the
consent (counselors) on every request, so a revoked grant or a lapsed consent
stops the very next page, and it writes the access log entry in the same step,
so no page can show shared data without leaving a line in the owner's log.

The multi-step workflows (inviting, accepting, revoking, signing a consent,
sending encouragement) live here too, called by views, commands and tests alike.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import CharField, F, JSONField, Q, Value
from django.dispatch import Signal
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from milestones.models import READY_PHRASE_TEXT, Encouragement, Journey
from recovery_network import page_cache, params, two_factor
from supports.models import Supporter

from . import log_lines, roles
from .access_log import moment
from .models import (
    INVITATION_DAYS,
    SCOPE_FIELDS,
    AccessEvent,
    CaseloadView,
    Consent,
    Grant,
    Invitation,
    Recommendation,
)
from .people import actor_label

TOKEN_SALT = "supports.invitation"
INVITATIONS_PER_DAY = 10
INVITATION_SUBJECT = gettext_lazy("You have an invitation on {site}")  # {site}: the site's name
FAMILY, COUNSELOR = "family", "counselor"


class TwoFactorRequired(Exception):
    """A counselor whose session has not passed two-factor authentication tried to open client data."""


# What the door announces; the circle's notification kinds (circle_kinds.py) listen. With `owner_id`: a grant
# or consent changed by a bulk UPDATE (accepted, revoked), so what the owner shares with whom changed.
sharing_changed = Signal()
# With `encouragement` and `now`: a kind word was sent; its owner is told once, as they chose.
encouragement_sent = Signal()


# The access log's two sources, in the order their lines sort within one instant.
EVENT_LINE, CASELOAD_LINE = "e", "v"
LOG_PAGE_SIZE = 50


@dataclass(frozen=True)
class LogLine:
    """One line of an owner's access log, from AccessEvent or a caseload view."""

    created_at: dt.datetime
    actor_name: str
    action: str
    what: str
    line: dict | None = None
    source: str = EVENT_LINE
    row_id: int = 0

    def get_action_display(self):
        return AccessEvent.Action(self.action).label

    @property
    def local_time(self):
        """When, in the reader's zone, as "26 Nov 2026, 9:05 AM" (the date filter, fifty times a page,
        took longer than the page's query)."""
        return moment(timezone.localtime(self.created_at))

    @property
    def cursor(self):
        """Where the next, older page starts: this line's place in the log's order."""
        return f"{self.created_at.isoformat()}~{self.source}{self.row_id}"


def parse_cursor(text):
    """(created_at, source, id) from LogLine.cursor, or None for anything else (the newest page), a moment or
    id out of range included."""
    when, _, rest = (text or "").partition("~")
    created_at, source, row_id = params.aware_datetime(when), rest[:1], params.object_id(rest[1:])
    if created_at is None or source not in (EVENT_LINE, CASELOAD_LINE) or row_id is None:
        return None
    return created_at, source, row_id


def _older_than(cursor, source, field="created_at"):
    """Rows of one source that sort after `cursor` (newest first, then source, then id)."""
    if cursor is None:
        return Q()
    created_at, cursor_source, row_id = cursor
    if source < cursor_source:  # this source's lines come after the cursor's within its instant
        return Q(**{f"{field}__lte": created_at})
    if source > cursor_source:
        return Q(**{f"{field}__lt": created_at})
    return Q(**{f"{field}__lt": created_at}) | Q(**{field: created_at, "id__lt": row_id})


def access_log(owner, before=None, size=LOG_PAGE_SIZE):
    """One page of the owner's access log, newest first, and the cursor of the next page (None at the end).

    Their AccessEvent lines and each look at a counselor's caseload they were on (a
    CaseloadView, through its roster's entry for them), as one UNION ALL query. Pages go by
    cursor, not number: no count of a log that grows with every look, and each source is
    read through its index only as far as the page needs.
    """
    cursor = parse_cursor(before) if isinstance(before, str) else before
    fields = ("created_at", "actor_name", "action", "what", "line", "source", "id")
    order = ("-created_at", "-source", "-id")
    events = (
        AccessEvent.objects.filter(owner=owner)
        .filter(_older_than(cursor, EVENT_LINE))
        .annotate(source=Value(EVENT_LINE, output_field=CharField()))
        .values_list(*fields)
    )
    views = (
        CaseloadView.objects.filter(roster__entries__owner=owner)
        .filter(_older_than(cursor, CASELOAD_LINE))
        .annotate(
            actor_name=F("roster__counselor_name"),
            action=Value(AccessEvent.Action.VIEWED.value, output_field=CharField()),
            what=F("roster__entries__what"),
            line=Value(None, output_field=JSONField()),  # "caseload summary: …", put in words by log_lines.shown
            source=Value(CASELOAD_LINE, output_field=CharField()),
        )
        .values_list(*fields)
    )
    if connection.features.supports_slicing_ordering_in_compound:
        events, views = events.order_by(*order)[: size + 1], views.order_by(*order)[: size + 1]
    else:  # SQLite takes no ORDER BY or LIMIT inside a UNION
        events, views = events.order_by(), views.order_by()
    rows = list(events.union(views, all=True).order_by(*order)[: size + 1])
    lines = [LogLine(*row) for row in rows[:size]]
    return lines, (lines[-1].cursor if len(rows) > size else None)


def log(owner, actor, action, what="", path="", now=None):
    """A line in the owner's access log; `what` is words as they are (a name, an email address) or, for words
    the reader's language should say, a log_lines.line(…)."""
    return AccessEvent.objects.create(**_event(owner.pk, actor, action, what, path, now))


def log_each(owner_ids, actor, action, what="", path=""):
    """The same line in each owner's log, in one INSERT (an admin list page shows many people at once)."""
    now = timezone.now()
    return AccessEvent.objects.bulk_create(
        [AccessEvent(**_event(owner_id, actor, action, what, path, now)) for owner_id in sorted(set(owner_ids))]
    )


def _event(owner_id, actor, action, what="", path="", now=None):
    """An access-log line's values (log() and log_each())."""
    return {
        "owner_id": owner_id,
        "actor_id": actor.pk if actor is not None else None,
        "actor_name": actor_label(actor)[:200],
        "action": action,
        **log_lines.row_fields(what),
        "path": path[:300],
        "created_at": now or timezone.now(),
    }


# Who may see what


@dataclass(frozen=True)
class Access:
    """What one person may see of one owner, and on what basis."""

    owner: object
    viewer: object
    role: str
    scopes: frozenset
    grant: Grant | None = None
    consent: Consent | None = None

    def allows(self, scope):
        return scope in self.scopes


def find_access(viewer, owner_id, now=None, role=None):
    """The viewer's standing access to an owner, or None. Writes nothing.

    With `role`, only access of that kind is looked for: a counselor's page asks for the consent alone
    (one query, not two), a family page for the grant alone."""
    owner_id = params.object_id(owner_id)  # an id no row can have is no one's
    if not viewer.is_authenticated or owner_id is None or owner_id == viewer.pk:
        return None
    # Neither query needs the models' default ordering, which cost a third of each query's CPU (0.3 ms
    # of 1.0 on the 2-core bench machine): there is one active grant per owner and viewer
    # (grant_one_active_per_viewer), and the newest of a few consents is picked here.
    if role != COUNSELOR:
        grants = Grant.objects.active().select_related("owner").filter(owner_id=owner_id, viewer=viewer)
        grant = next(iter(grants.order_by()), None)
        if grant is not None and grant.owner.is_active:
            return Access(grant.owner, viewer, FAMILY, grant.scopes, grant=grant)
        if role == FAMILY:
            return None
    consents = Consent.objects.possibly_valid(now).select_related("owner").filter(owner_id=owner_id, counselor=viewer)
    for consent in sorted(consents.order_by(), key=lambda consent: (consent.signed_at, consent.pk), reverse=True):
        if consent.is_valid(now) and consent.owner.is_active:
            return Access(consent.owner, viewer, COUNSELOR, consent.scopes, consent=consent)
    return None


def open_shared_or_404(request, owner_id, *, role=None, scope=None, shown=None, now=None):
    """Authorize a non-owner's read of an owner's data and log it; 404 unless allowed.

    `scope` is what the page cannot do without; `shown` (default: every scope the
    access allows) is what the page will actually show, which is what the log records.
    Counselors must have passed two-factor authentication in this session (TwoFactorRequired).
    """
    access = find_access(request.user, owner_id, now, role)
    if access is None or (role and access.role != role) or (scope and not access.allows(scope)):
        raise Http404("Nothing shared with you here.")
    if access.role == COUNSELOR and not two_factor.verified(request):
        raise TwoFactorRequired()
    shown_scopes = access.scopes if shown is None else frozenset(shown) & access.scopes
    what = log_lines.line("scopes", scopes=shown_scopes) if shown_scopes else ""
    log(access.owner, request.user, AccessEvent.Action.VIEWED, what, request.path, now)
    return access


def shared_with(viewer, now=None):
    """Owners who share with this person: (grants as a family member, valid consents as a counselor)."""
    grants = list(Grant.objects.active().for_viewer(viewer).select_related("owner").order_by("owner__display_name"))
    consents = [
        consent
        for consent in Consent.objects.possibly_valid(now).for_counselor(viewer).select_related("owner")
        if consent.is_valid(now)
    ]
    return grants, consents


# Invitations


def signed_link_token(row, salt):
    """A link's token naming one row (an invitation, a consent request): its id and nonce, signed."""
    return signing.dumps([row.pk, row.nonce], salt=salt, compress=True)


def row_from_signed_token(token, salt, rows):
    """The row of `rows` a link names, or None for a forged, mangled or unknown link."""
    try:
        pk, nonce = signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    pk = params.object_id(pk)
    row = rows.filter(pk=pk).first() if pk else None
    if row is None or not constant_time_compare(row.nonce, str(nonce)):
        return None
    return row


def invitation_token(invitation):
    return signed_link_token(invitation, TOKEN_SALT)


def invitation_from_token(token):
    return row_from_signed_token(token, TOKEN_SALT, Invitation.objects.select_related("owner", "supporter", "consent"))


def invitation_url(invitation):
    return settings.SITE_URL + reverse("care:invitation", args=[invitation_token(invitation)])


def invite(owner, email, *, role=Invitation.Role.VIEWER, scopes=None, supporter=None, consent=None, now=None):
    """Create an invitation, email the link and log it."""
    now = now or timezone.now()
    scopes = set(scopes if scopes is not None else {"clean_time"})
    email = email.strip().lower()
    # Only the newest link to one address works, so an old forwarded email can't be used after a new one.
    for earlier in Invitation.objects.for_owner(owner).pending(now).filter(email=email, role=role, consent=None):
        withdraw_invitation(earlier, now)
    invitation = Invitation.objects.create(
        owner=owner,
        email=email,
        role=role,
        supporter=supporter,
        consent=consent,
        nonce=secrets.token_urlsafe(18),
        created_at=now,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
        **{name: name in scopes for name in SCOPE_FIELDS},
    )
    send_invitation_email(invitation)
    what = log_lines.line("invited", role=invitation.role, email=invitation.email)
    log(owner, owner, AccessEvent.Action.INVITED, what)
    return invitation


def invitations_left_today(owner, now=None):
    """Invitations send email to any address: a small daily allowance keeps an account from being used to spam."""
    since = (now or timezone.now()) - dt.timedelta(days=1)
    return max(0, INVITATIONS_PER_DAY - Invitation.objects.for_owner(owner).filter(created_at__gte=since).count())


def send_invitation_email(invitation):
    """Sent directly, not through the reminder engine: it goes to someone who may have no account yet.

    The subject is fixed: a display name is typed by the person inviting and shows in any inbox's
    list and a phone's lock screen. The body names them, never anything about their health.
    """
    context = {"invitation": invitation, "owner_name": invitation.owner.name, "days": INVITATION_DAYS}
    send_link_email(
        invitation.email, INVITATION_SUBJECT, "care/emails/invitation", {**context, "url": invitation_url(invitation)}
    )


def send_link_email(to, subject, template, context):
    """An email carrying a link for someone who may have no account yet (an invitation, a consent request): text
    and HTML from `template`.txt and .html, the subject as given with the site's name."""
    context = {**context, "SITE_NAME": settings.SITE_NAME}
    email = EmailMultiAlternatives(
        subject=subject.format(site=settings.SITE_NAME),
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    email.send()


class InvitationProblem(Exception):
    """Why an invitation link cannot be used; the message is shown to the person as it is."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def user_emails(user):
    verified = set(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    return {address.lower() for address in verified}


def check_invitation(invitation, user, now=None):
    """Raise InvitationProblem unless this person may answer this invitation now.

    Whose the invitation is comes first: a link forwarded to, or found by, another account
    learns nothing about the person who sent it, not even that they withdrew it.
    """
    now = now or timezone.now()
    if user.pk == invitation.owner_id:
        raise InvitationProblem("own", _("This is an invitation you sent. Share the link with the person it is for."))
    if invitation.email.lower() not in user_emails(user):
        raise InvitationProblem(
            "wrong_account",
            _(
                "This invitation was sent to a different email address than the one you are signed in with "
                "(%(email)s). Sign out, then sign in or create an account with the address it was sent to."
            )
            % {"email": user.email},
        )
    status = invitation.status(now)
    if status == Invitation.Status.WITHDRAWN:
        raise InvitationProblem("withdrawn", _("%(name)s withdrew this invitation.") % {"name": invitation.owner.name})
    if status in (Invitation.Status.ACCEPTED, Invitation.Status.DECLINED):
        raise InvitationProblem("used", _("This invitation has already been answered, so the link no longer works."))
    if status == Invitation.Status.EXPIRED:
        raise InvitationProblem(
            "expired",
            _("This invitation expired on %(day)s.")
            % {"day": format_date(invitation.expires_at.astimezone(user.zone), gettext("j F Y"))},
        )


@transaction.atomic
def accept_invitation(invitation, user, *, link_supporter=False, now=None):
    """Accept for `user`: a grant for a family member, the consent's recipient for a counselor."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("owner", "consent").get(pk=invitation.pk)
    )
    check_invitation(invitation, user, now)
    owner = invitation.owner
    if invitation.is_counselor:
        consent = invitation.consent
        Consent.objects.filter(pk=consent.pk).update(counselor=user)
        consent.counselor = user
        roles.refresh([user.pk])
        sharing_changed.send(sender=Consent, owner_id=owner.pk)
        result = consent
    else:
        grant = Grant.objects.select_for_update().active().filter(owner=owner, viewer=user).first()
        if grant is None:
            grant = Grant(owner=owner, viewer=user, invitation=invitation, created_at=now)
        for name in SCOPE_FIELDS:
            setattr(grant, name, getattr(invitation, name))
        grant.save()
        result = grant
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now, accepted_by=user)
    page_cache.bump([user.pk])  # their circle page lists who shares with them
    if link_supporter and invitation.supporter_id:
        Supporter.objects.filter(pk=invitation.supporter_id, owner=owner).update(linked_user=user)
    scopes = invitation.consent.scopes if invitation.is_counselor else invitation.scopes
    log(owner, user, AccessEvent.Action.INVITATION_ACCEPTED, log_lines.line("scopes", scopes=scopes) if scopes else "")
    return result


def decline_invitation(invitation, user, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(of=("self",)).select_related("owner").get(pk=invitation.pk)
        check_invitation(invitation, user, now)
        Invitation.objects.filter(pk=invitation.pk).update(declined_at=now)
        log(invitation.owner, user, AccessEvent.Action.INVITATION_DECLINED, invitation.email)


def withdraw_invitation(invitation, now=None):
    """The owner takes an unanswered invitation back; its link stops working at once."""
    now = now or timezone.now()
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    if updated:
        if invitation.consent_id:
            Consent.objects.filter(pk=invitation.consent_id, revoked_at__isnull=True).update(revoked_at=now)
        log(invitation.owner, invitation.owner, AccessEvent.Action.INVITATION_WITHDRAWN, invitation.email)
    return bool(updated)


# Grants and consents


def change_scopes(grant, scopes):
    before = grant.scopes
    for name in SCOPE_FIELDS:
        setattr(grant, name, name in scopes)
    grant.save(update_fields=[*SCOPE_FIELDS, "updated_at"])
    if grant.scopes != before:
        log(
            grant.owner,
            grant.owner,
            AccessEvent.Action.GRANT_CHANGED,
            log_lines.line("now_sees", name=grant.viewer.name, scopes=grant.scopes),
        )
    return grant


def revoke_grant(grant, now=None, *, by=None, what=None):
    """Access ends with this UPDATE: every page checks the grant on every request.

    `by` and `what` say otherwise than "the owner revoked it" in the owner's log (the viewer left for good)."""
    now = now or timezone.now()
    if Grant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(revoked_at=now):
        grant.revoked_at = now
        roles.refresh([grant.viewer_id])
        sharing_changed.send(sender=Grant, owner_id=grant.owner_id)
        page_cache.bump([grant.viewer_id])  # their circle page lists who shares with them
        log(
            grant.owner,
            by or grant.owner,
            AccessEvent.Action.GRANT_REVOKED,
            what or f"{grant.viewer.name} ({grant.viewer.email})",
        )


@transaction.atomic
def sign_consent(owner, *, email, scopes, now=None, **fields):
    """Record the signed consent and invite the counselor to accept it."""
    now = now or timezone.now()
    consent = Consent.objects.create(
        owner=owner, signed_at=now, **{name: name in scopes for name in SCOPE_FIELDS}, **fields
    )
    log(owner, owner, AccessEvent.Action.CONSENT_SIGNED, log_lines.consent_signed(consent))
    invite(owner, email, role=Invitation.Role.COUNSELOR, scopes=scopes, consent=consent, now=now)
    return consent


def revoke_consent(consent, now=None, *, by=None, what=None):
    now = now or timezone.now()
    if Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(revoked_at=now):
        consent.revoked_at = now
        roles.refresh([consent.counselor_id])
        sharing_changed.send(sender=Consent, owner_id=consent.owner_id)
        page_cache.bump([consent.counselor_id])  # their circle page counts their clients
        Invitation.objects.filter(consent=consent, accepted_at__isnull=True, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        what = what or log_lines.line("consent", recipient=consent.recipient_name, organisation=consent.organisation)
        log(consent.owner, by or consent.owner, AccessEvent.Action.CONSENT_REVOKED, what)


def consent_for_party_or_404(user, pk):
    """A consent document, for its client or its counselor only (valid or not: both keep a copy)."""
    if not user.is_authenticated:
        raise Http404
    consent_id = params.object_id(pk)
    found = Consent.objects.select_related("owner", "counselor").filter(pk=consent_id).order_by()  # one row: no sort
    consent = next(iter(found), None) if consent_id else None
    if consent is None or user.pk not in (consent.owner_id, consent.counselor_id):
        raise Http404("No consent here.")
    return consent


# Encouragement and recommendations


def send_encouragement(access, *, message="", phrase="", now=None):
    """A kind word from someone the owner shares with, kept where the owner will find it.

    With clean time shared it is tied to the owner's next milestone, so it waits on
    that celebration page too; it always shows on the owner's home page.
    """
    now = now or timezone.now()
    owner, sender = access.owner, access.viewer
    today = owner.local_today(now)
    journey, milestone_key = None, ""
    if access.allows("clean_time"):
        journey = Journey.objects.for_owner(owner).order_by("started_on", "pk").first()
        if journey is not None:
            upcoming = journey.upcoming_milestones(today, 1)
            milestone_key = upcoming[0].key if upcoming else ""
    supporter = Supporter.objects.for_owner(owner).filter(linked_user=sender).first()
    encouragement = Encouragement.objects.create(
        owner=owner,
        journey=journey if milestone_key else None,
        milestone_key=milestone_key,
        from_name=sender.name[:80],
        supporter=supporter,
        sender=sender,
        phrase=phrase,
        message=READY_PHRASE_TEXT.get(phrase) or message,
        received_on=today,
    )
    log(owner, sender, AccessEvent.Action.ENCOURAGEMENT_SENT)
    encouragement_sent.send(sender=Encouragement, encouragement=encouragement, now=now)
    return encouragement


def recommend(access, text, now=None, lesson=""):
    now = now or timezone.now()
    recommendation = Recommendation.objects.create(
        owner=access.owner,
        counselor=access.viewer,
        counselor_name=access.viewer.name,
        text=text,
        lesson=lesson,
        created_at=now,
    )
    log(access.owner, access.viewer, AccessEvent.Action.RECOMMENDATION_WRITTEN, text[:120])
    return recommendation
