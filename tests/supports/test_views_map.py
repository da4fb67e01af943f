"""The support map: server-rendered SVG with a table beside it, readable at 0, 3, 150 and 500 supporters."""

import datetime as dt
import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from recovery_network.care.models import Grant
from supports.models import PROFESSIONAL_RELATIONSHIPS, Closeness, Influence, PeerGroup, Supporter
from supports.support_map import (
    CELL_LIMIT,
    GROUP_LIMIT,
    HEIGHT,
    READABLE_PX,
    RING_BANDS,
    WIDTH,
    build_support_map,
)
from tests.supports.factories import AttendanceFactory, CommunityActivityFactory, PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
RELATIONSHIPS = ["friend", "family", "counselor", "sponsor", "therapist", "coworker", "physician", "neighbour"]


def make_supporters(owner, count):
    Supporter.objects.bulk_create(
        Supporter(
            owner=owner,
            name=f"Person {number:03d}",
            relationship=RELATIONSHIPS[number % len(RELATIONSHIPS)],
            closeness=[Closeness.INNER, Closeness.CLOSE, Closeness.WIDER, Closeness.WIDER][number % 4],
            influence=Influence.RISK if number % 11 == 0 else Influence.SUPPORTIVE,
            gives_emotional=number % 2 == 0,
            gives_crisis=number % 3 == 0,
            contact_every_days=7,
            contact_due_at=timezone.now() + dt.timedelta(days=-1 if number % 5 == 0 else 3),
        )
        for number in range(count)
    )


def svg_of(response):
    match = re.search(rb"<svg class=\"support-map__svg.*?</svg>", response.content, re.S)
    assert match, "the map page has an inline SVG"
    return ET.fromstring(match.group(0))


def map_nodes(svg):
    """Each node (a link or a group), with where it is drawn: each is drawn at the origin and translated."""
    for node in svg.iter():
        if node.tag in (f"{SVG}a", f"{SVG}g") and "map-node " in (node.get("class") or "") + " ":
            x, y = map(float, re.fullmatch(r"translate\((\S+) (\S+)\)", node.get("transform")).groups())
            yield node, x, y


def node_circles(svg):
    return [
        (x, y, float(circle.get("r")))
        for node, x, y in map_nodes(svg)
        for circle in node.findall(f"{SVG}circle")
        if circle.get("class").startswith("map-node__shape")
    ]


def kind_marks(svg):
    """{node title: [(d, given?)]}: the support-kind marks each node <use>s from the map's <defs>."""
    patterns = {
        group.get("id"): [(path.get("d"), "map-node__kind--given" in path.get("class")) for path in group]
        for group in svg.find(f"{SVG}defs")
    }
    return {
        node.find(f"{SVG}title").text: patterns[node.find(f"{SVG}use").get("href").removeprefix("#")]
        for node, _, _ in map_nodes(svg)
        if node.find(f"{SVG}use") is not None
    }


def assert_no_overlaps_and_inside(circles):
    for x, y, r in circles:
        assert r <= x <= WIDTH - r and r <= y <= HEIGHT - r
    for (x1, y1, r1), (x2, y2, r2) in itertools.combinations(circles, 2):
        assert math.hypot(x1 - x2, y1 - y2) >= r1 + r2, "two nodes on the map overlap"


def test_empty_map_shows_you_at_the_centre_and_how_to_start(owner_client):
    response = owner_client.get(reverse("supports:map"))
    assert response.status_code == 200
    svg = svg_of(response)
    assert svg.find(f"{SVG}title").text == "Your support map"
    assert "0 supporters" in svg.find(f"{SVG}desc").text
    assert node_circles(svg) == []
    assert b"Your map fills in as you add people" in response.content
    assert b"No supporters yet." in response.content


def test_map_with_three_supporters_names_each_and_shows_what_they_give(owner_client, owner):
    SupporterFactory(owner=owner, name="Sam", closeness=1, gives_crisis=True, relationship="family")
    SupporterFactory(owner=owner, name="Dana Rivera", closeness=2, relationship="counselor")
    SupporterFactory(
        owner=owner,
        name="Jesse",
        closeness=3,
        influence="risk",
        gives_emotional=False,
        contact_every_days=7,
        created_at=timezone.now() - dt.timedelta(days=30),
    )
    response = owner_client.get(reverse("supports:map"))
    svg = svg_of(response)
    circles = node_circles(svg)
    assert len(circles) == 3
    assert_no_overlaps_and_inside(circles)
    names = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "map-node__name"]
    assert sorted(names) == ["Dana Rivera", "Jesse", "Sam"]
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert any(t.startswith("Sam: Inner circle; Family member; gives emotional, crisis") for t in titles)
    assert any("Jesse" in t and "a risk to your recovery" in t and "contact overdue" in t for t in titles)
    links = list(svg.iter(f"{SVG}a"))
    assert {a.get("class").split()[1] for a in links} == {"map-node--personal", "map-node--professional"}
    assert sum("map-node--risk" in a.get("class") for a in links) == 1
    assert sum("map-node--overdue" in a.get("class") for a in links) == 1
    # Six support-kind marks per person (arcs, a pattern drawn once and used by each), dark where given.
    marks = kind_marks(svg)
    assert len(marks) == 3 and all(sum(d.count("M") for d, _ in arcs) == 6 for arcs in marks.values())
    [sam] = [arcs for title, arcs in marks.items() if title.startswith("Sam:")]
    [jesse] = [arcs for title, arcs in marks.items() if title.startswith("Jesse:")]
    assert sum(d.count("M") for d, given in sam if given) == 2  # emotional and crisis
    assert sum(d.count("M") for d, given in jesse if given) == 0 and len(jesse) == 1  # gives none: one faint path
    # The same data as a table.
    table = response.content.split(b"Everyone on the map")[1]
    assert table.count(b'<th scope="row">') == 3
    assert b"Overdue" in table and b"<strong>Risk</strong>" in table


def test_people_sit_in_the_ring_for_their_closeness(owner):
    SupporterFactory(owner=owner, closeness=1)
    SupporterFactory(owner=owner, closeness=3)
    support_map = build_support_map(owner)
    for node in support_map.nodes:
        distance = math.hypot(node.x - support_map.cx, node.y - support_map.cy)
        inner, outer = RING_BANDS[node.ring]
        assert inner <= distance <= outer


def more_nodes(svg):
    """{title: label} of the "+N" nodes, each standing for the people a crowded ring leaves off."""
    return {
        node.find(f"{SVG}title").text: node.find(f"{SVG}text").text
        for node, _, _ in map_nodes(svg)
        if node.find(f"{SVG}circle[@class='map-node__shape map-node__shape--more']") is not None
    }


def cells_of(owner):
    """{(closeness, professional?): number of active supporters} of the whole network."""
    cells = {}
    for closeness, relationship in (
        Supporter.objects.filter(owner=owner).active().values_list("closeness", "relationship")
    ):
        cell = (closeness, relationship in PROFESSIONAL_RELATIONSHIPS)
        cells[cell] = cells.get(cell, 0) + 1
    return cells


@pytest.mark.parametrize("count", [150, 500])
def test_a_large_map_draws_each_crowded_ring_bounded_and_says_how_many_more(
    owner_client, owner, count, django_assert_max_num_queries
):
    make_supporters(owner, count)
    owner_client.get(reverse("supports:map"))  # the first request also records the session's device
    # Seven queries are the session, the user and allauth's device tracking; seven are the map's, at any size.
    with override_settings(PAGE_CACHE=False), django_assert_max_num_queries(14):  # rendered, not from the cache
        response = owner_client.get(reverse("supports:map"))
    svg = svg_of(response)
    circles = node_circles(svg)
    cells = cells_of(owner)
    crowded = {cell: people for cell, people in cells.items() if people > CELL_LIMIT}
    assert crowded, "the test's network has crowded rings"
    # Each crowded ring draws CELL_LIMIT - 1 people and a "+N" node; the others draw everyone.
    drawn = sum(min(people, CELL_LIMIT - 1) if people > CELL_LIMIT else people for people in cells.values())
    assert len(circles) == drawn + len(crowded) <= 6 * CELL_LIMIT
    more = more_nodes(svg)
    assert sorted(int(label.removeprefix("+")) for label in more.values()) == sorted(
        people - (CELL_LIMIT - 1) for people in crowded.values()
    )
    assert any(title.endswith("personal supporters in the wider circle: see them all in the list") for title in more)
    assert_no_overlaps_and_inside(circles)
    assert min(r for _, _, r in circles) >= 5
    # Too many for names under each node: initials inside, full names in the title and the table.
    assert not [t for t in svg.iter(f"{SVG}text") if t.get("class") == "map-node__name"]
    assert float(svg.find(f"{SVG}g[@class='map-nodes']").get("font-size")) >= 5.5
    # The sectors and the description count everyone, drawn or not.
    personal = sum(people for (_, professional), people in cells.items() if not professional)
    assert f"Personal ({personal})".encode() in response.content
    assert f"{count} supporters" in svg.find(f"{SVG}desc").text
    overdue = Supporter.objects.filter(owner=owner).overdue().count()
    assert f"{overdue} overdue for contact" in svg.find(f"{SVG}desc").text
    # The table lists the people drawn, then says how many each crowded ring leaves out, with a link to them.
    table = response.content.split(b"Everyone on the map")[1].split(b"</table>")[0].decode()
    assert table.count('<th scope="row">') == drawn
    assert table.count('class="row--more"') == len(crowded)
    wider = crowded[(Closeness.WIDER, False)]
    assert f"And {wider - (CELL_LIMIT - 1)} more personal supporters in your wider circle" in table
    # The ring names find a free spot rather than sitting on top of people.
    for label in (t for t in svg.iter(f"{SVG}text") if t.get("class") == "map-ring-label"):
        x, y = float(label.get("x")), float(label.get("y"))
        assert all(abs(cx - x) > 62 + r or abs(cy - y) > 12 + r for cx, cy, r in circles), label.text


def test_a_crowded_ring_draws_risky_ties_and_overdue_people_first_and_links_to_the_rest(owner_client, owner):
    make_supporters(owner, 250)
    support_map = build_support_map(owner)
    drawn = {node.label for node in support_map.nodes if not node.more}
    active = Supporter.objects.filter(owner=owner).active()
    wider_personal = active.filter(closeness=Closeness.WIDER).personal()
    risky = set(wider_personal.filter(influence=Influence.RISK).values_list("name", flat=True))
    assert 0 < len(risky) < CELL_LIMIT and risky <= drawn
    overdue = set(wider_personal.overdue().exclude(influence=Influence.RISK).values_list("name", flat=True))
    assert len(risky) + len(overdue) > CELL_LIMIT - 1, "more overdue than room: the rest wait behind them"
    assert len(drawn & overdue) == CELL_LIMIT - 1 - len(risky)
    # "See them all": the network list of exactly that ring, every one of them.
    [row] = [row for row in support_map.left_out if (row["closeness"], row["kind"]) == (Closeness.WIDER, "personal")]
    page = owner_client.get(reverse("supports:index"), {"circle": Closeness.WIDER, "kind": "personal"})
    assert f"People ({wider_personal.count()} personal in your wider circle)" in page.content.decode()
    assert row["count"] == wider_personal.count() - (CELL_LIMIT - 1)


def test_a_shared_map_says_how_many_more_without_links(family_client, family, owner):
    Grant.objects.filter(owner=owner, viewer=family).update(support_map=True)
    make_supporters(owner, 200)
    response = family_client.get(reverse("care:person", args=[owner.pk]))
    svg = svg_of(response)
    assert more_nodes(svg) and not list(svg.iter(f"{SVG}a"))
    assert all(not title.endswith("in the list") for title in more_nodes(svg))
    body = response.content.decode()
    assert "more personal supporters in the wider circle, not drawn." in body
    assert "?circle=" not in body


def test_many_peer_groups_draw_the_home_group_and_the_latest_and_count_the_rest(owner_client, owner):
    home = PeerGroupFactory(owner=owner, name="Zed Home Group", is_home_group=True)
    PeerGroup.objects.bulk_create(
        PeerGroup(owner=owner, name=f"Group {number:02d}") for number in range(GROUP_LIMIT + 5)
    )
    latest = PeerGroup.objects.get(owner=owner, name=f"Group {GROUP_LIMIT + 4:02d}")
    AttendanceFactory(group=latest, attended_on=owner.local_today())
    support_map = build_support_map(owner)
    labels = [node.label for node in support_map.nodes if node.sector == "groups"]
    assert len(labels) == GROUP_LIMIT + 1 and home.name in labels and latest.name in labels
    assert labels[-1] == "+6"
    response = owner_client.get(reverse("supports:map"))
    assert f"Peer groups ({GROUP_LIMIT + 6})".encode() in response.content
    assert b"And 6 more, none attended lately" in response.content


def test_groups_and_community_have_their_own_sectors(owner_client, owner):
    home = PeerGroupFactory(owner=owner, name="Home Group", is_home_group=True)
    recent = PeerGroupFactory(owner=owner, name="Recent Group")
    AttendanceFactory(group=recent, attended_on=owner.local_today() - dt.timedelta(days=3))
    PeerGroupFactory(owner=owner, name="Old Group")
    CommunityActivityFactory(owner=owner, kind="volunteering", hours=3)
    CommunityActivityFactory(owner=owner, kind="volunteering", hours=2)
    support_map = build_support_map(owner)
    rings = {node.label: node.ring for node in support_map.nodes}
    assert rings["Home Group"] == Closeness.INNER
    assert rings["Recent Group"] == Closeness.CLOSE
    assert rings["Old Group"] == Closeness.WIDER
    community = [node for node in support_map.nodes if node.sector == "community"]
    assert len(community) == 1 and "2 times, 5 hours" in community[0].title
    response = owner_client.get(reverse("supports:map"))
    assert b"Peer groups (3)" in response.content and b"Community (1)" in response.content
    assert response.content.count(b'<rect class="map-node__shape"') == 3
    assert home.name.encode() in response.content


def test_archived_people_are_not_on_the_map(owner):
    SupporterFactory(owner=owner).archive()
    assert build_support_map(owner).nodes == []


def test_map_prints_with_its_own_stylesheet_and_has_no_inline_style(owner_client, owner):
    make_supporters(owner, 3)
    response = owner_client.get(reverse("supports:map"))
    assert b"/static/css/supports.css" in response.content
    assert b"style=" not in response.content
    assert b"<script>" not in response.content


def word_sizes(svg):
    """The font size, in the drawing's units, of every word on the map: its own font-size or the nearest group's."""
    sizes = []

    def walk(element, size):
        size = float(element.get("font-size", size))
        if element.tag == f"{SVG}text":
            sizes.append(size)
        for child in element:
            walk(child, size)

    walk(svg, 0)  # a word with no size of its own or its group's (so set only by a stylesheet) counts as 0
    return sizes


def readable_width(response):
    return int(re.search(rb'class="map-zoom" data-readable-width="(\d+)"', response.content).group(1))


@pytest.mark.parametrize("network", ["empty", "three with names", "150 with initials", "crowded with home groups"])
def test_zoomed_to_its_readable_width_no_word_on_the_map_is_under_12_px(owner_client, owner, network):
    if network == "three with names":
        for closeness in Closeness.values:
            SupporterFactory(owner=owner, name="Bartholomew" * 10 + "Alexandrina"[:10], closeness=closeness)
    elif network == "150 with initials":
        make_supporters(owner, 150)
    elif network == "crowded with home groups":
        make_supporters(owner, 500)
        PeerGroup.objects.bulk_create(
            PeerGroup(owner=owner, name=f"Home {number}", is_home_group=True) for number in range(GROUP_LIMIT)
        )
    response = owner_client.get(reverse("supports:map"))
    sizes = word_sizes(svg_of(response))
    width = readable_width(response)
    assert min(sizes) * width / WIDTH >= READABLE_PX  # CSS pixels, with the map that wide
    assert min(sizes) * (width - 1) / WIDTH < READABLE_PX  # and no wider than that needs
    assert width == build_support_map(owner).readable_width


def test_small_nodes_need_a_wider_zoom_to_read_their_initials(owner):
    make_supporters(owner, 3)
    roomy = build_support_map(owner)
    PeerGroup.objects.bulk_create(
        PeerGroup(owner=owner, name=f"Home {number}", is_home_group=True) for number in range(GROUP_LIMIT)
    )
    make_supporters(owner, 500)
    crowded = build_support_map(owner)
    assert crowded.node_radius < roomy.node_radius and crowded.font_size < roomy.font_size
    assert crowded.readable_width == math.ceil(WIDTH * READABLE_PX / crowded.font_size) > roomy.readable_width
    # With room, the ring names are the smallest words: 17 units, read at 12 px on a map 946 px wide.
    assert roomy.readable_width == math.ceil(WIDTH * READABLE_PX / 17) == 946


def test_the_owners_map_sits_in_a_labelled_frame_with_zoom_buttons_for_script_to_show(owner_client, owner):
    make_supporters(owner, 3)
    body = owner_client.get(reverse("supports:map")).content.decode()
    frame = re.search(r'<div class="map-zoom__frame" id="map-frame" role="region" aria-label="Support map">', body)
    assert frame and body.index("<svg", frame.end()) < body.index("</figure>")
    # Without script the buttons stay hidden and the whole map shows; the script is the page's own.
    bar = re.search(r'<div class="map-zoom__bar" hidden>(.*?)</div>', body, re.S).group(1)
    assert re.findall(r">(Zoom \w+)</button>", bar) == ["Zoom in", "Zoom out"]
    assert 'aria-controls="map-frame"' in bar
    assert re.search(r'<script src="[^"]*/js/map[^"/]*\.js" defer></script>', body)
    assert body.index("map-zoom") < body.index("Everyone on the map")  # the table follows the map


def test_a_shared_map_has_no_zoom(family_client, family, owner):
    Grant.objects.filter(owner=owner, viewer=family).update(support_map=True)
    make_supporters(owner, 3)
    body = family_client.get(reverse("care:person", args=[owner.pk])).content.decode()
    assert "support-map__svg" in body and "map-zoom" not in body and "map.js" not in body
