"""Demo data for the family course (see recovery_network/demo.py).

Sam, who supports Alex, has finished the first two lessons and shared the note on the second with Alex; Alex
suggested "Listening and talking" to Sam with a few words; Dana Rivera, Alex's counselor, suggested "After a
setback" for Alex's family and friends, which Alex has yet to pass on. Load-test viewers have read part of the
course and have a suggestion from the person who shares with them, so the benches measure the course's card.
"""

import datetime as dt

from recovery_network.care.models import Grant, Recommendation

from . import content
from .models import LessonProgress, LessonSuggestion

SAMS_NOTE = (
    "I told Alex I'd noticed how hard the first month was. We sorted the examples together: "
    "I'd been covering for him more than I knew."
)


def seed_cast(cast, now):
    owner, family, counselor = cast["owner"], cast["family"], cast["counselor"]
    course = content.lessons()
    for days_ago, item in zip((12, 5), course[:2], strict=True):
        done_at = now - dt.timedelta(days=days_ago)
        shared = item is course[1]
        LessonProgress.objects.get_or_create(
            owner=family,
            lesson=item.slug,
            defaults={
                "version": item.version,
                "started_at": done_at - dt.timedelta(minutes=6),
                "done_at": done_at,
                "note": SAMS_NOTE if shared else "",
                "note_updated_at": done_at if shared else None,
                "shared_with": owner if shared else None,
                "shared_at": done_at if shared else None,
            },
        )
    LessonSuggestion.objects.get_or_create(
        owner=owner,
        viewer=family,
        lesson="listening-and-talking",
        defaults={"message": "This one says what I find hard to say.", "created_at": now - dt.timedelta(days=2)},
    )
    setback = content.lesson("after-a-setback")
    Recommendation.objects.get_or_create(
        owner=owner,
        counselor=counselor,
        lesson=setback.slug,
        defaults={
            "counselor_name": counselor.name,
            "text": f"Pass on a lesson of the family course to your family or friends: “{setback.title}”.",
            "created_at": now - dt.timedelta(days=1),
        },
    )


def seed_scale(people, rng, now):
    """Each load-test viewer has finished a few lessons (the first with a note) and has a suggestion from the
    person who shares with them. Idempotent: a viewer with progress is left as they are."""
    grants = list(Grant.objects.active().filter(owner__in=people).values_list("owner_id", "viewer_id"))
    viewers = {viewer_id for _, viewer_id in grants}
    started = set(LessonProgress.objects.filter(owner_id__in=viewers).values_list("owner_id", flat=True).distinct())
    course = content.lessons()
    progress, suggestions = [], []
    for owner_id, viewer_id in grants:
        if viewer_id in started:
            continue
        finished = rng.randint(0, len(course) - 1)
        for index, item in enumerate(course[:finished]):
            done_at = now - dt.timedelta(days=2 * (finished - index))
            progress.append(
                LessonProgress(
                    owner_id=viewer_id,
                    lesson=item.slug,
                    version=item.version,
                    started_at=done_at,
                    done_at=done_at,
                    note="It went better than I expected." if index == 0 else "",
                )
            )
        suggestions.append(
            LessonSuggestion(
                owner_id=owner_id, viewer_id=viewer_id, lesson=course[finished].slug, created_at=now, message=""
            )
        )
        started.add(viewer_id)
    LessonProgress.objects.bulk_create(progress, batch_size=5000, ignore_conflicts=True)
    LessonSuggestion.objects.bulk_create(suggestions, batch_size=5000, ignore_conflicts=True)
