"""Layout of the support map: the owner at the centre, rings for closeness,
sectors for personal, professional, peer groups and community.

The geometry is computed here and drawn by a template as plain SVG, so the map
works without JavaScript and prints. Sectors get an angle in proportion to how
many people they hold (with a floor so an empty one still shows), and nodes
shrink and spread over several lanes within a ring so 150 people stay legible;
past a handful of nodes, labels become initials and the table beside the map
carries the full names. On a phone the whole map is too small to read: the page
zooms it (static/js/map.js) to `readable_width`, where its smallest word is
READABLE_PX high, and the person scrolls around it.
"""

import datetime as dt
import hashlib
import math
import pickle
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Max, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from recovery_network.page_cache import RELEASE_FINGERPRINT

from .models import (
    PROFESSIONAL_RELATIONSHIPS,
    SUPPORT_KINDS,
    Closeness,
    CommunityActivity,
    Influence,
    PeerGroup,
    Supporter,
)

WIDTH, HEIGHT = 1340, 1000
CX, CY = WIDTH / 2, HEIGHT / 2
OWNER_RADIUS = 58
RING_BANDS = {
    Closeness.INNER: (78, 196),
    Closeness.CLOSE: (196, 312),
    Closeness.WIDER: (312, 430),
}
LABEL_RADIUS = 452
MIN_SECTOR_DEGREES = 42
MAX_NODE_RADIUS = 26
MIN_NODE_RADIUS = 5
NODE_GAP = 7  # room for the support-kind ring and the overdue ring
FULL_NAME_LIMIT = 24  # at most this many nodes on the map: names under each node
CELL_LIMIT = 12  # at most this many people in one ring of one sector; past it, 11 and a "+N" node
GROUP_LIMIT = 20  # at most this many peer groups: the home group and the most recently attended first
# Sizes of the map's words in the drawing's units; a node's initials grow with the node (Node.font_size).
OWNER_FONT_SIZE = 22
SECTOR_FONT_SIZE = 26
RING_FONT_SIZE = 17
NAME_FONT_SIZE = 18
READABLE_PX = 12  # zoomed in to read, no word on the map is smaller than this many CSS pixels
SECTORS = [
    ("personal", gettext_lazy("Personal")),
    ("professional", gettext_lazy("Professional")),
    ("groups", gettext_lazy("Peer groups")),
    ("community", gettext_lazy("Community")),
]


def _point(radius, degrees):
    """Map coordinates for an angle measured clockwise from twelve o'clock."""
    radians = math.radians(degrees)
    return round(CX + radius * math.sin(radians), 1), round(CY - radius * math.cos(radians), 1)


@dataclass
class Node:
    key: str
    sector: str
    ring: int
    label: str
    title: str
    url: str = ""
    shape: str = "circle"
    kinds: list = field(default_factory=list)  # [(field, short label, given?)]
    is_risk: bool = False
    is_overdue: bool = False
    x: float = 0
    y: float = 0
    r: float = MAX_NODE_RADIUS
    initials: str = ""
    kind_mark: str = ""  # the id of its support-kind marks in the drawing's <defs> (see kind_marks)
    more: int = 0  # a "+N" node stands for this many people (or groups) the map leaves out

    # A node is drawn at the origin and moved to (x, y): its parts need no coordinates of their own.
    @property
    def position(self):
        return f"{self.x} {self.y}"

    @property
    def diamond_points(self):
        r = round(self.r * 1.2, 1)
        return f"0,{-r} {r},0 0,{r} {-r},0"

    @property
    def square_corner(self):
        return -round(self.r, 1)

    @property
    def square_size(self):
        return round(self.r * 2, 1)

    @property
    def font_size(self):
        return round(max(self.r * 0.78, 5.5), 1)

    @property
    def label_y(self):
        return round(self.r + 22, 1)

    @property
    def text_y(self):
        return round(self.font_size * 0.36, 1)


@dataclass
class Sector:
    key: str
    label: str
    start: float
    end: float
    count: int = 0
    label_x: float = 0
    label_y: float = 0
    anchor: str = "middle"
    divider: tuple = ()


@dataclass
class Drawing:
    nodes: list
    sectors: list
    rings: list
    node_radius: float
    show_names: bool
    kind_marks: list = field(default_factory=list)  # [(id, [(d, given?)])]: each pattern used, drawn once

    @property
    def font_size(self):
        return round(max(self.node_radius * 0.78, 5.5), 1)

    @property
    def readable_width(self):
        """The width, in CSS pixels, at which the smallest word on the map is READABLE_PX high."""
        sizes = [OWNER_FONT_SIZE, SECTOR_FONT_SIZE, RING_FONT_SIZE]
        if self.nodes:
            sizes.append(self.font_size)
        if self.show_names and self.nodes:
            sizes.append(NAME_FONT_SIZE)
        return math.ceil(WIDTH * READABLE_PX / min(sizes))


class SupportMap:
    """The rows a map shows, loaded at once, and its drawing, laid out only when a page renders it.

    Laying out 500 nodes is most of a large map's cost; the rendered drawing is
    cached under `key()`, made of the rows themselves, so a cached page never lays
    it out. For a shared view (`links=False`) nodes carry no links, and with
    `group_dates=False` a group's title does not say when the owner last went.
    """

    width, height, cx, cy, owner_radius, cell_limit = WIDTH, HEIGHT, CX, CY, OWNER_RADIUS, CELL_LIMIT
    owner_font_size, sector_font_size, ring_font_size = OWNER_FONT_SIZE, SECTOR_FONT_SIZE, RING_FONT_SIZE
    name_font_size = NAME_FONT_SIZE

    def __init__(self, supporter_rows, cells, groups, community_rows, now, local_today, *, db, links, group_dates):
        self.db = db
        self.supporter_rows = supporter_rows  # tuples of SUPPORTER_FIELDS: made into models only on a cache miss
        self.cells = cells  # {(closeness, professional?): (people, overdue)}: the whole network, drawn or not
        self.group_list, self.group_count = groups  # the groups drawn, and how many the owner has
        self.community_rows = community_rows
        self.now, self.local_today = now, local_today
        self.links, self.group_dates = links, group_dates

    @cached_property
    def supporter_list(self):
        return [Supporter.from_db(self.db, SUPPORTER_FIELDS, row) for row in self.supporter_rows]

    @property
    def is_empty(self):
        return not (self.supporter_rows or self.group_list or self.community_rows)

    def _overdue(self, row):
        # Supporter.is_overdue, on the row's tuple.
        due_at = row[SUPPORTER_FIELDS.index("contact_due_at")]
        return row[SUPPORTER_FIELDS.index("archived_at")] is None and due_at is not None and due_at < self.now

    def overdue_count(self):
        """Everyone overdue for contact, drawn or not."""
        return sum(overdue for _, overdue in self.cells.values())

    @cached_property
    def left_out(self):
        """The people each crowded ring leaves off the map, closest ring first: [{closeness, professional, count,
        circle, kind}], what the table says after the people it lists."""
        closeness, relationship = SUPPORTER_FIELDS.index("closeness"), SUPPORTER_FIELDS.index("relationship")
        drawn = {}
        for row in self.supporter_rows:
            cell = (row[closeness], row[relationship] in PROFESSIONAL_RELATIONSHIPS)
            drawn[cell] = drawn.get(cell, 0) + 1
        return [
            {
                "closeness": closeness,
                "professional": professional,
                "count": people - drawn.get((closeness, professional), 0),
                "circle": Closeness(closeness).label.lower(),
                "kind": "professional" if professional else "personal",
            }
            for (closeness, professional), (people, _) in sorted(self.cells.items())
            if people > drawn.get((closeness, professional), 0)
        ]

    @property
    def groups_left_out(self):
        return self.group_count - len(self.group_list)

    def key(self, *extra):
        """A cache key for the drawing and table: every row's fields, what depends on the clock, and `extra`."""
        rows = [
            [(self._overdue(row), row) for row in self.supporter_rows],
            sorted(self.cells.items()),
            [_fields(row) for row in self.group_list],
            self.group_count,
            self.community_rows,
        ]
        return fingerprint(rows, self.local_today, self.links, self.group_dates, *extra)

    @cached_property
    def _drawing(self):
        return _draw(self)

    nodes = property(lambda self: self._drawing.nodes)
    sectors = property(lambda self: self._drawing.sectors)
    rings = property(lambda self: self._drawing.rings)
    node_radius = property(lambda self: self._drawing.node_radius)
    show_names = property(lambda self: self._drawing.show_names)
    kind_marks = property(lambda self: self._drawing.kind_marks)
    font_size = property(lambda self: self._drawing.font_size)
    readable_width = property(lambda self: self._drawing.readable_width)


def _initials(name):
    words = [word for word in name.replace("-", " ").split() if word[:1].isalnum()]
    if not words:
        return name[:2]
    if len(words) == 1:
        return words[0][:2].title()
    return (words[0][0] + words[-1][0]).upper()


def _supporter_node(supporter, now):
    kinds = [(name, short, getattr(supporter, name)) for name, short, _ in SUPPORT_KINDS]
    given = [str(short) for _, short, is_given in kinds if is_given]
    overdue = supporter.is_overdue(now)
    details = [supporter.get_closeness_display(), supporter.get_relationship_display()]
    # Translators: the map's title for a person: "Sam: Inner circle; Family member; gives emotional, crisis".
    details.append(
        gettext("gives %(kinds)s") % {"kinds": ", ".join(given).lower()}
        if given
        else gettext("no kinds of support marked")
    )
    if supporter.is_risk:
        details.append(gettext("a risk to your recovery"))
    if overdue:
        details.append(gettext("contact overdue"))
    if supporter.linked_user_id:
        details.append(gettext("has an account"))
    return Node(
        key=f"supporter-{supporter.pk}",
        sector="professional" if supporter.is_professional else "personal",
        ring=supporter.closeness,
        label=supporter.name,
        title=gettext("%(name)s: %(details)s") % {"name": supporter.name, "details": "; ".join(details)},
        url=reverse("supports:supporter_detail", args=[supporter.pk]),
        kinds=kinds,
        is_risk=supporter.is_risk,
        is_overdue=overdue,
    )


def _group_node(group, local_today):
    # Closeness of a group: the home group is inner circle; a group attended in
    # the last month is close; any other group is in the wider circle.
    if group.is_home_group:
        ring = Closeness.INNER
    elif group.last_attended and group.last_attended >= local_today - dt.timedelta(days=30):
        ring = Closeness.CLOSE
    else:
        ring = Closeness.WIDER
    if group.last_attended:
        when = gettext("last went %(day)s") % {"day": date_format(group.last_attended, gettext("j M Y"))}
    else:
        when = gettext("no meetings logged yet")
    words = {"name": group.name, "fellowship": group.get_fellowship_display(), "when": when}
    # Translators: the map's title for a group: "Sunrise: home group; Alcoholics Anonymous (AA), last went 3 Mar 2025".
    title = (
        gettext("%(name)s: home group; %(fellowship)s, %(when)s") % words
        if group.is_home_group
        else gettext("%(name)s: %(fellowship)s, %(when)s") % words
    )
    return Node(
        key=f"group-{group.pk}",
        sector="groups",
        ring=ring,
        label=group.name,
        title=title,
        url=reverse("supports:group_detail", args=[group.pk]),
        shape="square",
    )


def _community_node(row, local_today):
    ring = Closeness.CLOSE if row["last"] >= local_today - dt.timedelta(days=60) else Closeness.WIDER
    label = str(dict(CommunityActivity._meta.get_field("kind").choices)[row["kind"]])
    hours = row["hours"] or 0
    return Node(
        key=f"community-{row['kind']}",
        sector="community",
        ring=ring,
        label=label,
        # Translators: "Volunteering: 4 times, 9 hours in the past year" (the English says "times" and "hours" even
        # for one).
        title=gettext("%(activity)s: %(count)s times, %(hours)s hours in the past year")
        % {"activity": label, "count": row["count"], "hours": f"{float(hours):g}"},
        url=reverse("supports:community_list"),
        shape="diamond",
    )


def _sector_angles(counts):
    """Degrees per sector: a floor for each, the rest shared in proportion to nodes."""
    spare = 360 - MIN_SECTOR_DEGREES * len(counts)
    total = sum(counts)
    if total == 0:
        return [360 / len(counts)] * len(counts)
    return [MIN_SECTOR_DEGREES + spare * count / total for count in counts]


def _cell_lanes(count, span_degrees, band, node_radius):
    """Radii of the lanes in a ring band and how many nodes each lane holds, or None if they don't fit."""
    inner, outer = band
    step = 2 * node_radius + NODE_GAP
    lane_count = max(1, int((outer - inner) // step))
    lanes = [inner + step * (index + 0.5) + ((outer - inner) - step * lane_count) / 2 for index in range(lane_count)]
    capacities = [max(0, int(math.radians(span_degrees) * radius // step)) for radius in lanes]
    if sum(capacities) < count:
        return None
    # Fill in proportion to each lane's capacity so nodes spread evenly across the band.
    total_capacity = sum(capacities)
    placed = [min(capacity, math.floor(count * capacity / total_capacity)) for capacity in capacities]
    index = len(lanes) - 1
    while sum(placed) < count:
        if placed[index] < capacities[index]:
            placed[index] += 1
        index = (index - 1) % len(lanes)
    return list(zip(lanes, placed, strict=True))


def _layout(nodes, totals=None):
    """Sectors get their angles by the nodes drawn in them; each is labelled with how many it holds in all
    (`totals` by sector key, for the ones a node can stand for several of)."""
    counts = [sum(1 for node in nodes if node.sector == key) for key, _ in SECTORS]
    totals = totals or {}
    sectors, start = [], 0.0
    for (key, label), degrees, count in zip(SECTORS, _sector_angles(counts), counts, strict=True):
        sector = Sector(key=key, label=label, start=start, end=start + degrees, count=totals.get(key, count))
        middle = start + degrees / 2
        sector.label_x, sector.label_y = _point(LABEL_RADIUS, middle)
        sector.label_y = round(sector.label_y + 6, 1)
        normalized = middle % 360
        sector.anchor = (
            "middle"
            if normalized < 20 or abs(normalized - 180) < 20 or normalized > 340
            else ("start" if normalized < 180 else "end")
        )
        sector.divider = (*_point(OWNER_RADIUS + 8, start), *_point(RING_BANDS[Closeness.WIDER][1], start))
        sectors.append(sector)
        start += degrees

    cells = {}
    for node in nodes:
        cells.setdefault((node.sector, node.ring), []).append(node)
    by_key = {sector.key: sector for sector in sectors}

    # One node size for the whole map: the largest at which every cell fits.
    node_radius = MAX_NODE_RADIUS
    while node_radius > MIN_NODE_RADIUS:
        fits = all(
            _cell_lanes(len(members), by_key[sector].end - by_key[sector].start, RING_BANDS[ring], node_radius)
            for (sector, ring), members in cells.items()
        )
        if fits:
            break
        node_radius -= 1

    for (sector_key, ring), members in cells.items():
        sector = by_key[sector_key]
        span = sector.end - sector.start
        lanes = _cell_lanes(len(members), span, RING_BANDS[ring], node_radius) or [
            (sum(RING_BANDS[ring]) / 2, len(members))
        ]
        remaining = iter(members)
        for radius, how_many in lanes:
            for index in range(how_many):
                node = next(remaining)
                degrees = sector.start + span * (index + 0.5) / how_many
                node.x, node.y = _point(radius, degrees)
                node.r = node_radius
    return sectors, node_radius


RING_LABEL_HALF_WIDTH = 62
RING_LABEL_HALF_HEIGHT = 12


def _ring_label_point(radius, nodes):
    """Where a ring's name can sit without covering anyone: the free spot nearest the top."""
    best, best_clearance = _point(radius, 0), -math.inf
    for step in range(180):
        # 0°, then alternately a little left and right of the top, further each time.
        degrees = (step + 1) // 2 * 2 * (1 if step % 2 else -1)
        x, y = _point(radius, degrees)
        clearance = min(
            (
                max(abs(node.x - x) - RING_LABEL_HALF_WIDTH, abs(node.y - y) - RING_LABEL_HALF_HEIGHT) - node.r - 4
                for node in nodes
            ),
            default=math.inf,
        )
        if clearance >= 0:
            return x, y
        if clearance > best_clearance:
            best, best_clearance = (x, y), clearance
    return best


def _kind_marks(nodes, node_radius):
    """The six support-kind marks around a node, as a pattern in <defs> each node <use>s.

    Every node on a map has the same radius, so the marks differ only by which kinds are
    given: at most 64 patterns, each drawn once as two paths (the arcs of the kinds given,
    and the rest), where drawing them at every node made the 500-person map half a megabyte.
    Sets each node's kind_mark; returns [(id, [(d, given?)])].
    """
    radius = round(node_radius + 3.5, 1)
    patterns = {}
    for node in nodes:
        if not node.kinds:
            continue
        given = tuple(bool(given) for _, _, given in node.kinds)
        if given not in patterns:
            patterns[given] = "mk-" + "".join("1" if flag else "0" for flag in given)
        node.kind_mark = patterns[given]
    marks = []
    for given, mark_id in patterns.items():
        runs = {True: [], False: []}
        for index, flag in enumerate(given):
            x1, y1 = _offset(radius, index * 60 + 6)
            x2, y2 = _offset(radius, (index + 1) * 60 - 6)
            runs[flag].append(f"M{x1} {y1}A{radius} {radius} 0 0 1 {x2} {y2}")
        marks.append((mark_id, [("".join(arcs), flag) for flag, arcs in runs.items() if arcs]))
    return marks


def _offset(radius, degrees):
    radians = math.radians(degrees)
    return round(radius * math.sin(radians), 1), round(-radius * math.cos(radians), 1)


SUPPORTER_FIELDS = [field.attname for field in Supporter._meta.concrete_fields]


def _fields(row):
    """A model row's loaded values (annotations included), cheap to pickle."""
    return tuple(value for name, value in row.__dict__.items() if name != "_state")


def _is_professional():
    return ExpressionWrapper(Q(relationship__in=PROFESSIONAL_RELATIONSHIPS), output_field=BooleanField())


def build_support_map(user, now=None, links=True, group_dates=True):
    """The map's rows in five queries whatever the network's size, each bounded: the drawing is laid out when first
    used. Supporters come at most CELL_LIMIT to a ring of a sector (a window numbers them within it), with each
    ring's count beside them; groups at most GROUP_LIMIT, with their count."""
    now = now or timezone.now()
    local_today = user.local_today(now)
    supporters = Supporter.objects.for_owner(user).active()
    cells = _ring_counts(supporters, now)
    rows = _drawn_supporter_rows(supporters, cells, now)
    groups = _drawn_groups(user)
    community = _community_rows(user, local_today)
    return SupportMap(
        rows,
        cells,
        groups,
        community,
        now,
        local_today,
        db=supporters.db,
        links=links,
        group_dates=group_dates,
    )


def _ring_counts(supporters, now):
    """(people, overdue) for each (closeness, professional) ring of a sector, in one query."""
    return {
        (row["closeness"], row["professional"]): (row["people"], row["overdue"])
        for row in supporters.annotate(professional=_is_professional())
        .values("closeness", "professional")
        .annotate(people=Count("id"), overdue=Count("id", filter=Q(contact_due_at__lt=now)))
        .order_by()
    }


def _drawn_supporter_rows(supporters, cells, now):
    """The supporters the map draws, at most CELL_LIMIT to a ring (risky and overdue first), in one query."""
    first = [
        Case(When(influence=Influence.RISK, then=Value(0)), default=Value(1)).asc(),
        Case(When(contact_due_at__lt=now, then=Value(0)), default=Value(1)).asc(),
        F("last_contact_at").desc(nulls_last=True),
        F("name").asc(),
        F("id").asc(),
    ]
    place = Window(RowNumber(), partition_by=[F("closeness"), _is_professional()], order_by=first)
    rows = []
    for *row, professional, number in (
        supporters.annotate(professional=_is_professional(), place=place)
        .filter(place__lte=CELL_LIMIT)
        .order_by("closeness", "name", "id")
        .values_list(*SUPPORTER_FIELDS, "professional", "place")
    ):
        # A crowded ring keeps its last place for the "+N" node.
        if cells[(row[SUPPORTER_FIELDS.index("closeness")], professional)][0] <= CELL_LIMIT or number < CELL_LIMIT:
            rows.append(tuple(row))
    return rows


def _drawn_groups(user):
    """(the GROUP_LIMIT groups the map draws, home group first, and the count of all), in two queries."""
    groups = PeerGroup.objects.for_owner(user).active()
    group_count = groups.count()
    group_list = list(
        groups.annotate(last_attended=Max("attendances__attended_on")).order_by(
            "-is_home_group", F("last_attended").desc(nulls_last=True), "name", "id"
        )[:GROUP_LIMIT]
    )
    group_list.sort(key=lambda group: (not group.is_home_group, group.name, group.pk))
    return group_list, group_count


def _community_rows(user, local_today):
    """The past year's community activity by kind: count, hours, last day and label."""
    community = list(
        CommunityActivity.objects.for_owner(user)
        .filter(happened_on__gte=local_today - dt.timedelta(days=365))
        .values("kind")
        .annotate(count=Count("id"), hours=Sum("hours"), last=Max("happened_on"))
        .order_by("kind")
    )
    labels = dict(CommunityActivity._meta.get_field("kind").choices)
    for row in community:
        row["label"] = str(labels[row["kind"]])
    return community


def _more_node(sector, ring, count, more, url):
    """A "+N" node: `count` more people (or groups) than the map draws there, said in `more`; `url` lists them
    ("" for a viewer)."""
    return Node(
        key=f"more-{sector}-{ring}",
        sector=sector,
        ring=ring,
        label=f"+{count}",
        title=gettext("%(more)s: see them all in the list") % {"more": more} if url else more,
        url=url,
        shape="more",
        more=count,
    )


def _draw(support_map):
    now, local_today = support_map.now, support_map.local_today
    nodes = [_supporter_node(supporter, now) for supporter in support_map.supporter_list]
    links = support_map.links
    for row in support_map.left_out:
        words = {"count": row["count"], "circle": row["circle"]}
        if row["kind"] == "professional":
            # Translators: %(circle)s is "inner circle", "close" or "wider circle", in lower case.
            more = ngettext(
                "%(count)s more professional supporter in the %(circle)s",
                "%(count)s more professional supporters in the %(circle)s",
                row["count"],
            )
        else:
            more = ngettext(
                "%(count)s more personal supporter in the %(circle)s",
                "%(count)s more personal supporters in the %(circle)s",
                row["count"],
            )
        url = f"{reverse('supports:index')}?circle={row['closeness']}&kind={row['kind']}#people-heading"
        nodes.append(_more_node(row["kind"], row["closeness"], row["count"], more % words, url if links else ""))
    nodes += [_group_node(group, local_today) for group in support_map.group_list]
    if support_map.groups_left_out:
        count = support_map.groups_left_out
        more = ngettext(
            "%(count)s more peer group, none attended lately", "%(count)s more peer groups, none attended lately", count
        ) % {"count": count}
        url = reverse("supports:group_list") if links else ""
        nodes.append(_more_node("groups", Closeness.WIDER, count, more, url))
    nodes += [_community_node(row, local_today) for row in support_map.community_rows]
    for node in nodes:
        if not links:
            node.url = ""
        if node.sector == "groups" and not support_map.group_dates and not node.more:
            # The map's group titles say when the owner last went: attendance is its own scope.
            node.title = node.label
    counts = {"personal": 0, "professional": 0, "groups": support_map.group_count}
    for (_, professional), (people, _) in support_map.cells.items():
        counts["professional" if professional else "personal"] += people
    sectors, node_radius = _layout(nodes, counts)
    for node in nodes:
        node.initials = node.label if node.more else _initials(node.label)
    kind_marks = _kind_marks(nodes, node_radius)
    rings = []
    for closeness, (inner, outer) in RING_BANDS.items():
        label_x, label_y = _ring_label_point((inner + outer) / 2, nodes)
        rings.append(
            {"closeness": closeness, "label": Closeness(closeness).label, "radius": outer, "x": label_x, "y": label_y}
        )
    return Drawing(nodes, sectors, rings, node_radius, show_names=len(nodes) <= FULL_NAME_LIMIT, kind_marks=kind_marks)


def fingerprint(*parts):
    """A cache key naming exactly what a rendered map shows: its data, the zone and language it is shown in.

    Laying out and rendering 500 nodes and their table is most of a large map's
    time; the rows behind it take a few milliseconds to load and pickle. Keyed
    by the data itself, a cached rendering can never be stale and needs no
    invalidation: any change to what the map shows is a new key, and so is a release that
    changes how it is drawn (the page cache's fingerprint of our templates and code).
    """
    context = (timezone.get_current_timezone_name(), translation.get_language(), RELEASE_FINGERPRINT)
    return hashlib.blake2b(pickle.dumps((context, parts)), digest_size=16).hexdigest()
