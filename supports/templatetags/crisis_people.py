"""{% crisis_people %}: the signed-in person's own people to call on a bad night, on the crisis page and the offline
page (which the service worker keeps on their phone). A tag rather than a view's context, because the crisis page
is the core's and the core doesn't reach into the network (docs/DEVELOPING.md, "Layers")."""

from django import template

from supports.models import Supporter

register = template.Library()

SHOWN = 5


@register.inclusion_tag("supports/includes/crisis_people.html", takes_context=True)
def crisis_people(context, text=False):
    """`text=True` adds a tap-to-text link beside each tap-to-call (the progress page on a hard day)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"supporters": [], "text": text}
    supporters = Supporter.objects.for_owner(user).to_call_in_crisis().only("name", "phone")[:SHOWN]
    return {"supporters": list(supporters), "text": text}
