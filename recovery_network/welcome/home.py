"""The first run's card on the home page, first of its sections: "Continue setting up (2 of 5 done)" until the
person finishes or hides it. Someone brought in as family or a counselor, who hasn't started one, is offered
a link to set up their own instead. One query: the roles are on the person's row (care/roles.py keeps them)."""

from .models import FirstRun


def section(user):
    first_run = FirstRun.objects.for_owner(user).first()
    brought_in = user.views_someone or user.counsels_someone
    if first_run is not None and first_run.is_open and (first_run.started_at or not brought_in):
        return {"template": "welcome/home_section.html", "first_run": first_run, "next_step": first_run.next_step()}
    if brought_in and not user.has_journey and (first_run is None or first_run.is_open):
        return {"template": "welcome/home_section.html", "first_run": None}
    return None
