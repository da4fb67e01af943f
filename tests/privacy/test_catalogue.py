"""The catalogue of personal data is complete: every table and every link to a person is accounted for, and a
filled person has rows in every section that the export then holds."""

import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CASCADE

from recovery_network.privacy import exporting
from recovery_network.privacy.catalogue import (
    ERASURE,
    NOT_EXPORTED,
    NOT_PERSONAL,
    SECTIONS,
    user_links,
)


def test_the_walk_finds_the_links_it_should():
    # Guard against a walk that finds nothing and so finds nothing missing.
    links = {(label, field) for label, field, _ in user_links()}
    assert {("milestones.CheckIn", "owner"), ("care.Consent", "counselor"), ("reach.AlertContact", "user")} <= links
    assert len(links) >= 45


def test_every_link_to_a_person_is_exported_or_said_not_to_be():
    exported = {(section.model_label, section.path.split("__")[0]) for section in SECTIONS if section.path}
    accounted = exported | set(NOT_EXPORTED)
    missing = [f"{label}.{field}" for label, field, _ in user_links() if (label, field) not in accounted]
    assert missing == [], "add a Section, or a NOT_EXPORTED entry with the reason, to privacy/catalogue.py"


def test_every_link_that_does_not_cascade_has_an_erasure_decision():
    undecided = [
        f"{label}.{field} ({on_delete})"
        for label, field, on_delete in user_links()
        if on_delete != CASCADE.__name__ and (label, field) not in ERASURE
    ]
    assert undecided == [], "say in catalogue.ERASURE what erasing a person does to this link, and why"


def test_the_catalogue_names_only_fields_that_exist():
    links = {(label, field) for label, field, _ in user_links()}
    assert set(ERASURE) <= links
    assert set(NOT_EXPORTED) <= links
    for section in SECTIONS:
        names = {field.name for field in section.model._meta.get_fields()}
        assert set(section.exclude) <= names, section.key


def test_every_table_holds_a_section_or_is_said_to_hold_no_one():
    covered = {section.model_label for section in SECTIONS} | set(NOT_PERSONAL)
    missing = [model._meta.label for model in apps.get_models() if model._meta.label not in covered]
    assert missing == [], "add a Section for it, or a NOT_PERSONAL entry saying why it holds no one's data"


def test_a_filled_person_has_rows_in_every_section(pair):
    ada, _ = pair
    empty = [section.key for section in SECTIONS if not section.rows(ada).exists()]
    assert empty == [], "tests/privacy/world.py must write a row for every section"


def test_the_export_holds_every_row_of_every_section(pair):
    ada, _ = pair
    data = exporting.document(ada)["data"]
    for section in SECTIONS:
        expected = sorted(section.rows(ada).values_list("pk", flat=True))
        assert sorted(row["id"] for row in data[section.key]) == expected, section.key


def test_the_export_holds_no_secret(pair):
    ada, _ = pair
    text = json.dumps(exporting.document(ada), cls=DjangoJSONEncoder)
    assert ada.password not in text
    assert ada.calendar_feed.token not in text
    for session in ada.usersession_set.all():
        assert session.session_key not in text
    data = exporting.document(ada)["data"]
    for section in SECTIONS:
        excluded = {section.model._meta.get_field(name).attname for name in section.exclude}
        for row in data[section.key]:
            assert not excluded & set(row), section.key


def test_the_export_holds_nothing_of_the_other_person_but_what_they_shared(pair):
    ada, ben = pair
    text = json.dumps(exporting.document(ada), cls=DjangoJSONEncoder)
    # Ben's own check-in notes, setback and call for support are his; Ada sees none of them.
    assert f"A hard night {ben.pk}" not in text
    assert f"Bad night {ben.pk}" not in text
    assert f"Tuesday group {ben.pk}" not in text
    # What Ben said to Ada is hers to keep.
    assert f"Proud of you to {ada.pk}" in text
