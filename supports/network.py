"""The shape of a person's network, what is missing from it, and how it changed.

"Evaluations identify areas that require support": the gaps are read from the
network itself, each with one concrete next step. Everything here runs a fixed
number of queries, whatever the size of the network.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .models import (
    PROFESSIONAL_RELATIONSHIPS,
    SUPPORT_KINDS,
    Closeness,
    CommunityActivity,
    Influence,
    Meeting,
    PeerGroup,
    Supporter,
)

SUPPORT_KIND_LABELS = {field_name: long for field_name, _, long in SUPPORT_KINDS}
FIND_TREATMENT_URL = "https://findtreatment.gov/"


@dataclass
class NetworkSummary:
    supporters: int = 0
    personal: int = 0
    professional: int = 0
    inner: int = 0
    close: int = 0
    wider: int = 0
    supportive: int = 0
    neutral: int = 0
    risk: int = 0
    inner_overdue: int = 0
    peer_groups: int = 0
    community_activities: int = 0
    # Supportive or neutral people giving each kind of support (a risky tie doesn't count).
    kinds: dict = field(default_factory=dict)

    def as_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


def summary_aggregates(now):
    """The aggregate expressions behind a NetworkSummary, for one owner or grouped by owner."""
    not_risk = ~Q(influence=Influence.RISK)
    aggregates = {
        "supporters": Count("id"),
        "professional": Count("id", filter=Q(relationship__in=PROFESSIONAL_RELATIONSHIPS)),
        "inner": Count("id", filter=Q(closeness=Closeness.INNER)),
        "close": Count("id", filter=Q(closeness=Closeness.CLOSE)),
        "wider": Count("id", filter=Q(closeness=Closeness.WIDER)),
        "supportive": Count("id", filter=Q(influence=Influence.SUPPORTIVE)),
        "neutral": Count("id", filter=Q(influence=Influence.NEUTRAL)),
        "risk": Count("id", filter=Q(influence=Influence.RISK)),
        "inner_overdue": Count("id", filter=Q(closeness=Closeness.INNER, contact_due_at__lt=now)),
    }
    for field_name, _, _ in SUPPORT_KINDS:
        aggregates[f"kind_{field_name}"] = Count("id", filter=Q(**{field_name: True}) & not_risk)
    return aggregates


def summary_from_counts(counts):
    """A NetworkSummary from one row of summary_aggregates() (peer groups and community left at 0)."""
    counts = {name: value for name, value in counts.items() if name != "owner"}
    kinds = {field_name: counts.pop(f"kind_{field_name}", 0) for field_name, _, _ in SUPPORT_KINDS}
    summary = NetworkSummary(**counts, kinds=kinds)
    summary.personal = summary.supporters - summary.professional
    return summary


def network_summary(user, now=None):
    """Counts describing the active network, in three queries."""
    now = now or timezone.now()
    summary = summary_from_counts(Supporter.objects.for_owner(user).active().aggregate(**summary_aggregates(now)))
    summary.peer_groups = PeerGroup.objects.for_owner(user).active().count()
    summary.community_activities = (
        CommunityActivity.objects.for_owner(user)
        .filter(happened_on__gte=user.local_today(now) - dt.timedelta(days=365))
        .count()
    )
    return summary


@dataclass
class NextStep:
    text: str
    url: str = ""
    link_text: str = ""


@dataclass
class Gap:
    code: str
    title: str
    detail: str
    steps: list


NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def _count_words(number, one, many):
    """'no one', 'one person', 'two people', '12 professionals'."""
    if number == 0 and one == "person":
        return "no one"
    spoken = NUMBER_WORDS[number] if number < len(NUMBER_WORDS) else str(number)
    return f"{spoken} {one if number == 1 else many}"


def find_gaps(user, summary=None, now=None):
    """What is missing or weak in the network, each with a concrete next step."""
    now = now or timezone.now()
    summary = summary or network_summary(user, now)
    supporters = Supporter.objects.for_owner(user)
    add_url = reverse("supports:supporter_create")
    gaps = []
    if summary.supporters == 0:
        gaps.append(_empty_network_gap(add_url))
    gaps += _missing_kind_gaps(supporters, summary, add_url)
    if summary.professional == 0:
        gaps.append(_no_professional_gap(add_url))
    if summary.peer_groups == 0:
        gaps.append(_no_peer_group_gap(user))
    if summary.inner_overdue:
        gaps.append(_inner_circle_overdue_gap(supporters, summary, now))
    if summary.risk and summary.risk > summary.supportive:
        gaps.append(_risk_outnumbers_support_gap(summary, add_url))
    return gaps


def _empty_network_gap(add_url):
    return Gap(
        "no_supporters",
        "Your network is empty so far",
        "Start with one person you trust: a friend, a family member, a sponsor or a counselor.",
        [NextStep("Add the first person to your network.", add_url, "Add a supporter")],
    )


def _missing_kind_gaps(supporters, summary, add_url):
    """One gap per kind of support no one active gives (no query when none is missing)."""
    missing_kinds = [name for name, count in summary.kinds.items() if count == 0]
    if not missing_kinds:
        return []
    # Two small queries serve every missing kind: archived people who gave it
    # (reconnecting is part of recovery) and the closest supportive people to ask.
    archived = list(supporters.archived().exclude(influence=Influence.RISK).order_by("closeness", "name")[:50])
    askable = list(
        supporters.active().filter(influence=Influence.SUPPORTIVE).order_by("closeness", "-last_contact_at")[:3]
    )
    gaps = []
    for kind in missing_kinds:
        label = SUPPORT_KIND_LABELS[kind].lower()
        gaps.append(
            Gap(
                f"missing_{kind.removeprefix('gives_')}",
                f"No one gives you {label}",
                "No one in your active network is marked as giving this kind of support.",
                _missing_kind_steps(kind, label, archived, askable, add_url),
            )
        )
    return gaps


def _missing_kind_steps(kind, label, archived, askable, add_url):
    """Who to reconnect with or ask for one missing kind of support, else whom to add."""
    steps = []
    former = next((person for person in archived if getattr(person, kind)), None)
    if former:
        steps.append(
            NextStep(
                f"Reconnect with {former.name}, who gave you {label} before.",
                reverse("supports:supporter_detail", args=[former.pk]),
                f"See {former.name}",
            )
        )
    if askable:
        names = " or ".join(person.name for person in askable[:2])
        steps.append(
            NextStep(
                f"Ask {names} whether they could give you {label}.",
                reverse("supports:supporter_detail", args=[askable[0].pk]),
                f"See {askable[0].name}",
            )
        )
    if kind == "gives_crisis":
        steps.append(NextStep("Until then, crisis lines answer at any hour.", reverse("crisis"), "Get help now"))
    if not steps:
        steps.append(NextStep(f"Add someone who gives you {label}.", add_url, "Add a supporter"))
    return steps


def _no_professional_gap(add_url):
    return Gap(
        "no_professional",
        "No professional in your network",
        "A counselor, therapist, prescriber or recovery coach can add care that friends and family can't.",
        [
            NextStep("Find a counselor or treatment service near you.", FIND_TREATMENT_URL, "FindTreatment.gov"),
            NextStep("Already see someone? Add them to your network.", add_url, "Add a professional"),
        ],
    )


def _no_peer_group_gap(user):
    """The gap of having no peer group, suggesting up to three open meetings."""
    suggestions = list(
        Meeting.objects.visible_to(user).filter(temporarily_closed=False).exclude(weekdays="").order_by("name")[:3]
    )
    steps = [
        NextStep(
            f"Join {meeting.name} ({', '.join(meeting.weekday_names)}).",
            reverse("supports:meeting_list") + "?" + urlencode({"q": meeting.name}),
            f"Find {meeting.name}",
        )
        for meeting in suggestions
    ]
    steps.append(NextStep("Search the meeting list.", reverse("supports:meeting_list"), "Find a meeting"))
    return Gap(
        "no_peer_group",
        "No peer group",
        "Meeting people who share the experience of recovery is one of the strongest supports there is.",
        steps,
    )


def _inner_circle_overdue_gap(supporters, summary, now):
    """The gap of an inner circle out of touch, naming the five most overdue people."""
    overdue = list(supporters.overdue(now).inner_circle().order_by("contact_due_at")[:5])
    return Gap(
        "inner_circle_overdue",
        "Your inner circle hasn't heard from you",
        f"You wanted to be in touch with {_count_words(summary.inner_overdue, 'person', 'people')} "
        "in your inner circle more often than you have been.",
        [
            NextStep(
                f"Reach out to {person.name}, then log it.",
                reverse("supports:supporter_detail", args=[person.pk]),
                f"Log a contact with {person.name}",
            )
            for person in overdue
        ],
    )


def _risk_outnumbers_support_gap(summary, add_url):
    return Gap(
        "risk_outnumbers_support",
        "More risky ties than supportive ones",
        f"{_count_words(summary.risk, 'person', 'people').capitalize()} in your network "
        f"may put your recovery at risk, and {_count_words(summary.supportive, 'person', 'people')} "
        f"{'is' if summary.supportive <= 1 else 'are'} supportive.",
        [
            NextStep(
                "Talk with a counselor or sponsor about boundaries with people you used with.",
            ),
            NextStep("Add the people who support your recovery.", add_url, "Add a supporter"),
        ],
    )


def gap_titles(summary):
    """The gaps find_gaps() would report, by title only and without a query (for the caseload)."""
    titles = []
    if summary.supporters == 0:
        titles.append("Empty network")
    titles += [f"No one for {SUPPORT_KIND_LABELS[name].lower()}" for name, count in summary.kinds.items() if count == 0]
    if summary.professional == 0:
        titles.append("No professional")
    if summary.peer_groups == 0:
        titles.append("No peer group")
    if summary.inner_overdue:
        titles.append("Inner circle overdue")
    if summary.risk and summary.risk > summary.supportive:
        titles.append("More risky ties than supportive ones")
    return titles


KIND_PHRASES = {
    "gives_emotional": "emotional support",
    "gives_practical": "practical help",
    "gives_advice": "information and advice",
    "gives_accountability": "accountability",
    "gives_companionship": "sober companionship",
    "gives_crisis": "crisis support",
}


def changes_since(before, after):
    """Plain sentences comparing an earlier summary with a later one."""
    before = before if isinstance(before, NetworkSummary) else NetworkSummary.from_dict(before)
    changes = []
    for kind, phrase in KIND_PHRASES.items():
        was, now = before.kinds.get(kind, 0), after.kinds.get(kind, 0)
        if was != now:
            changes.append(
                f"You had {_count_words(was, 'person', 'people')} for {phrase}; "
                f"now you have {_count_words(now, 'person', 'people')}."
            )
    for attribute, one, many in (
        ("supporters", "person", "people"),
        ("professional", "professional", "professionals"),
        ("peer_groups", "peer group", "peer groups"),
        ("inner", "person in your inner circle", "people in your inner circle"),
        ("risk", "risky tie", "risky ties"),
    ):
        was, now = getattr(before, attribute), getattr(after, attribute)
        if was != now:
            changes.append(f"You had {_count_words(was, one, many)}; now you have {_count_words(now, one, many)}.")
    return changes
