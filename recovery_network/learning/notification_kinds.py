"""A note to a family member or friend when the person they support suggests a lesson of the course to them.

Discreet like every note: the title names who suggested something, never the lesson (a lesson's title, "After a
setback", would tell more than its reader's lock screen should)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from recovery_network.care.models import Grant
from recovery_network.notifications.delivery import notify
from recovery_network.notifications.registry import Kind, Message, get_kind

from .models import LessonSuggestion


class LessonSuggested(Kind):
    """Once per suggestion (made, or brought back after being set aside), while the sender still shares."""

    key = "lesson_suggested"
    label = gettext_lazy("Lessons suggested to you")
    description = gettext_lazy("When someone who shares with you suggests a lesson of the family course.")
    scheduled = False

    def load(self, subject_ids):
        return {
            suggestion.pk: suggestion
            for suggestion in LessonSuggestion.objects.filter(pk__in=list(subject_ids)).select_related("owner")
        }

    def recipients(self, suggestion):
        return [suggestion.viewer]

    def offered_to(self, user):
        return user.views_someone

    def still_allowed(self, delivery, suggestion, now_utc):
        return (
            suggestion.dismissed_at is None
            and suggestion.owner.is_active
            and Grant.objects.active().filter(owner_id=suggestion.owner_id, viewer_id=suggestion.viewer_id).exists()
        )

    def subjects_about(self, person_id):
        return LessonSuggestion.objects.filter(owner_id=person_id).values_list("pk", flat=True)

    def message(self, delivery, suggestion):
        return Message(
            title=gettext("%(name)s suggested something for you to read") % {"name": suggestion.owner.name},
            body=gettext("A few minutes from Learning to help, chosen for you."),
            url=reverse("learning:index") + "#suggested",
            about=suggestion.owner_id,
        )


def lesson_suggested(suggestion, now=None):
    """Tell the reader, in the app and by email as they chose; the suggestion and its time are the occurrence, so
    a suggestion renewed after being set aside is told again, and a repeated call is told once."""
    if get_kind(LessonSuggested.key) is None:
        return None
    now = now or timezone.now()
    occurrence = f"s{suggestion.pk}-{suggestion.created_at:%Y%m%d%H%M%S%f}"
    return notify(suggestion.viewer, LessonSuggested.key, suggestion, occurrence, now=now)
