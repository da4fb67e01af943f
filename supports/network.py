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
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, ngettext, ngettext_lazy, pgettext_lazy

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


NUMBER_WORDS = [
    # Translators: how many, spelled out before a noun: "no professionals", "one person", "two peer groups".
    pgettext_lazy("how many", "no"),
    pgettext_lazy("how many", "one"),
    pgettext_lazy("how many", "two"),
    pgettext_lazy("how many", "three"),
    pgettext_lazy("how many", "four"),
    pgettext_lazy("how many", "five"),
    pgettext_lazy("how many", "six"),
    pgettext_lazy("how many", "seven"),
    pgettext_lazy("how many", "eight"),
    pgettext_lazy("how many", "nine"),
    pgettext_lazy("how many", "ten"),
]
# What _count_words() counts: %(spoken)s is a number from NUMBER_WORDS, or digits past ten.
PEOPLE = ngettext_lazy("%(spoken)s person", "%(spoken)s people", "number")
PROFESSIONALS = ngettext_lazy("%(spoken)s professional", "%(spoken)s professionals", "number")
PEER_GROUPS = ngettext_lazy("%(spoken)s peer group", "%(spoken)s peer groups", "number")
INNER_CIRCLE = ngettext_lazy(
    "%(spoken)s person in your inner circle", "%(spoken)s people in your inner circle", "number"
)
RISKY_TIES = ngettext_lazy("%(spoken)s risky tie", "%(spoken)s risky ties", "number")


def _count_words(number, counted=PEOPLE):
    """'no one', 'one person', 'two people', '12 professionals'."""
    if number == 0 and counted is PEOPLE:
        return gettext("no one")
    spoken = NUMBER_WORDS[number] if number < len(NUMBER_WORDS) else str(number)
    return counted % {"number": number, "spoken": spoken}


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
        gettext("Your network is empty so far"),
        gettext("Start with one person you trust: a friend, a family member, a sponsor or a counselor."),
        [NextStep(gettext("Add the first person to your network."), add_url, gettext("Add a supporter"))],
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
                gettext("No one gives you %(kind)s") % {"kind": label},
                gettext("No one in your active network is marked as giving this kind of support."),
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
                gettext("Reconnect with %(name)s, who gave you %(kind)s before.")
                % {"name": former.name, "kind": label},
                reverse("supports:supporter_detail", args=[former.pk]),
                gettext("See %(name)s") % {"name": former.name},
            )
        )
    if askable:
        if len(askable) > 1:
            names = gettext("%(first)s or %(second)s") % {"first": askable[0].name, "second": askable[1].name}
        else:
            names = askable[0].name
        steps.append(
            NextStep(
                gettext("Ask %(names)s whether they could give you %(kind)s.") % {"names": names, "kind": label},
                reverse("supports:supporter_detail", args=[askable[0].pk]),
                gettext("See %(name)s") % {"name": askable[0].name},
            )
        )
    if kind == "gives_crisis":
        steps.append(
            NextStep(
                gettext("Until then, crisis lines answer at any hour."), reverse("crisis"), gettext("Get help now")
            )
        )
    if not steps:
        steps.append(
            NextStep(
                gettext("Add someone who gives you %(kind)s.") % {"kind": label}, add_url, gettext("Add a supporter")
            )
        )
    return steps


def _no_professional_gap(add_url):
    return Gap(
        "no_professional",
        gettext("No professional in your network"),
        gettext("A counselor, therapist, prescriber or recovery coach can add care that friends and family can't."),
        [
            NextStep(
                gettext("Find a counselor or treatment service near you."), FIND_TREATMENT_URL, "FindTreatment.gov"
            ),
            NextStep(gettext("Already see someone? Add them to your network."), add_url, gettext("Add a professional")),
        ],
    )


def _no_peer_group_gap(user):
    """The gap of having no peer group, suggesting up to three open meetings."""
    suggestions = list(
        Meeting.objects.visible_to(user).filter(temporarily_closed=False).exclude(weekdays="").order_by("name")[:3]
    )
    steps = [
        NextStep(
            # Translators: "Join Sunrise Serenity (Monday, Thursday)."
            gettext("Join %(meeting)s (%(days)s).")
            % {"meeting": meeting.name, "days": ", ".join(meeting.weekday_names)},
            reverse("supports:meeting_list") + "?" + urlencode({"q": meeting.name}),
            gettext("Find %(meeting)s") % {"meeting": meeting.name},
        )
        for meeting in suggestions
    ]
    steps.append(
        NextStep(gettext("Search the meeting list."), reverse("supports:meeting_list"), gettext("Find a meeting"))
    )
    return Gap(
        "no_peer_group",
        gettext("No peer group"),
        gettext("Meeting people who share the experience of recovery is one of the strongest supports there is."),
        steps,
    )


def _inner_circle_overdue_gap(supporters, summary, now):
    """The gap of an inner circle out of touch, naming the five most overdue people."""
    overdue = list(supporters.overdue(now).inner_circle().order_by("contact_due_at")[:5])
    return Gap(
        "inner_circle_overdue",
        gettext("Your inner circle hasn't heard from you"),
        gettext("You wanted to be in touch with %(people)s in your inner circle more often than you have been.")
        % {"people": _count_words(summary.inner_overdue)},
        [
            NextStep(
                gettext("Reach out to %(name)s, then log it.") % {"name": person.name},
                reverse("supports:supporter_detail", args=[person.pk]),
                gettext("Log a contact with %(name)s") % {"name": person.name},
            )
            for person in overdue
        ],
    )


def _risk_outnumbers_support_gap(summary, add_url):
    risky = capfirst(_count_words(summary.risk))
    if summary.supportive == 0:
        detail = gettext("%(risky)s in your network may put your recovery at risk, and no one is supportive.") % {
            "risky": risky
        }
    else:
        # Translators: "Three people in your network may put your recovery at risk, and two people are supportive."
        detail = ngettext(
            "%(risky)s in your network may put your recovery at risk, and %(supportive)s is supportive.",
            "%(risky)s in your network may put your recovery at risk, and %(supportive)s are supportive.",
            summary.supportive,
        ) % {"risky": risky, "supportive": _count_words(summary.supportive)}
    return Gap(
        "risk_outnumbers_support",
        gettext("More risky ties than supportive ones"),
        detail,
        [
            NextStep(
                gettext("Talk with a counselor or sponsor about boundaries with people you used with."),
            ),
            NextStep(gettext("Add the people who support your recovery."), add_url, gettext("Add a supporter")),
        ],
    )


def gap_titles(summary):
    """The gaps find_gaps() would report, by title only and without a query (for the caseload)."""
    titles = []
    if summary.supporters == 0:
        titles.append(gettext("Empty network"))
    titles += [
        gettext("No one for %(kind)s") % {"kind": SUPPORT_KIND_LABELS[name].lower()}
        for name, count in summary.kinds.items()
        if count == 0
    ]
    if summary.professional == 0:
        titles.append(gettext("No professional"))
    if summary.peer_groups == 0:
        titles.append(gettext("No peer group"))
    if summary.inner_overdue:
        titles.append(gettext("Inner circle overdue"))
    if summary.risk and summary.risk > summary.supportive:
        titles.append(gettext("More risky ties than supportive ones"))
    return titles


KIND_PHRASES = {
    "gives_emotional": gettext_lazy("emotional support"),
    "gives_practical": gettext_lazy("practical help"),
    "gives_advice": gettext_lazy("information and advice"),
    "gives_accountability": gettext_lazy("accountability"),
    "gives_companionship": gettext_lazy("sober companionship"),
    "gives_crisis": gettext_lazy("crisis support"),
}


def changes_since(before, after):
    """Plain sentences comparing an earlier summary with a later one."""
    before = before if isinstance(before, NetworkSummary) else NetworkSummary.from_dict(before)
    changes = []
    for kind, phrase in KIND_PHRASES.items():
        was, now = before.kinds.get(kind, 0), after.kinds.get(kind, 0)
        if was != now:
            changes.append(
                # Translators: "You had no one for crisis support; now you have two people."
                gettext("You had %(before)s for %(kind)s; now you have %(now)s.")
                % {"before": _count_words(was), "kind": phrase, "now": _count_words(now)}
            )
    for attribute, counted in (
        ("supporters", PEOPLE),
        ("professional", PROFESSIONALS),
        ("peer_groups", PEER_GROUPS),
        ("inner", INNER_CIRCLE),
        ("risk", RISKY_TIES),
    ):
        was, now = getattr(before, attribute), getattr(after, attribute)
        if was != now:
            changes.append(
                # Translators: "You had one professional; now you have two professionals."
                gettext("You had %(before)s; now you have %(now)s.")
                % {"before": _count_words(was, counted), "now": _count_words(now, counted)}
            )
    return changes
