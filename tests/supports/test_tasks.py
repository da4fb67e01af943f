import json

import pytest

from supports.models import Meeting, NetworkSnapshot
from supports.tasks import import_meeting_feed, take_snapshot
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_import_task_refreshes_the_directory_and_is_safe_to_run_twice(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([{"name": "Noon", "slug": "noon", "day": 1, "time": "12:00"}, {"slug": "broken"}]))
    assert import_meeting_feed(str(path)) == {"created": 1, "updated": 0, "skipped": 1}
    assert import_meeting_feed(str(path)) == {"created": 0, "updated": 0, "skipped": 1}
    assert Meeting.objects.get().owner is None


def test_snapshot_task_saves_the_persons_network(owner):
    SupporterFactory(owner=owner, gives_crisis=True)
    snapshot_id = take_snapshot(owner.pk, note="monthly")
    snapshot = NetworkSnapshot.objects.get(pk=snapshot_id)
    assert snapshot.owner == owner and snapshot.summary["kinds"]["gives_crisis"] == 1


def test_snapshot_task_for_a_missing_person_does_nothing():
    assert take_snapshot(987654) is None
    assert not NetworkSnapshot.objects.exists()
