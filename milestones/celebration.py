"""What a celebration page asks of the circle of care: who could hear of this milestone, and to tell them.

Milestones sit below the circle (docs/DEVELOPING.md, "Layers"), so the page asks by signal, as the
sharing door announces `encouragement_sent`: recovery_network/care/notification_kinds.py answers, and
without an answer the page simply offers no sharing.
"""

from dataclasses import dataclass

from django.dispatch import Signal
from django.utils.text import get_text_list
from django.utils.translation import gettext

# With `milestone`, `owner` and `now`: a receiver answers with the Circle of people who can hear of it.
circle_asked = Signal()
# With `milestone`, `owner` and `now`, after the owner pressed "Tell my circle" for a milestone reached: a
# receiver tells each person once, however often it is asked, and answers with the names of those told now.
circle_told = Signal()


@dataclass(frozen=True)
class Circle:
    """The owner's circle as one milestone's celebration sees it."""

    told: list  # [(name, when)] of the people already told of this milestone
    can_tell: list  # names of people who see the owner's milestones and hear of them, not told yet
    not_hearing: list  # names of people who see the owner's milestones but turned notes about them off
    manage_url: str  # where the owner chooses who sees what

    @property
    def sees_milestones(self):
        return bool(self.told or self.can_tell or self.not_hearing)

    @property
    def can_tell_text(self):
        return get_text_list(self.can_tell, gettext("and"))

    @property
    def not_hearing_text(self):
        return get_text_list(self.not_hearing, gettext("and"))


def ask(milestone, owner, now=None):
    """The circle's answer for this milestone, or None where no app answers."""
    answers = [answer for _, answer in circle_asked.send(sender=Circle, milestone=milestone, owner=owner, now=now)]
    return next((answer for answer in answers if answer is not None), None)


def tell(milestone, owner, now=None):
    """Ask the circle to hear of this milestone; the names of the people told now."""
    told = circle_told.send(sender=Circle, milestone=milestone, owner=owner, now=now)
    return [name for _, names in told for name in names or ()]
