"""What a journey gave back, as the person reads money and time: {% load money_saved %}."""

from django import template

from .. import money

register = template.Library()


@register.filter(name="money")
def money_filter(amount, currency):
    """{{ saved.money|money:saved.currency }} → "$1,234" in the active language's locale."""
    if amount is None or amount == "":
        return ""
    return money.format_money(amount, currency)


@register.filter(name="hours")
def hours_filter(hours):
    """{{ saved.hours|hours }} → "312 hours — about 13 days"."""
    if hours is None or hours == "":
        return ""
    return money.format_hours(hours)


@register.simple_tag
def saved_by(journey, today):
    """{% saved_by journey today as saved %}: `Journey.saved` for a page whose view does not name it."""
    return journey.saved(today)
