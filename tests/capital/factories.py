"""Factories for the recovery capital app."""

import datetime as dt

import factory

from recovery_network.capital.models import ITEM_FIELDS, CapitalCheck
from tests.factories import UserFactory


class CapitalCheckFactory(factory.django.DjangoModelFactory):
    """A check-up with every answer 4 (a total of 40) unless told otherwise; `answers=[…]` sets all ten."""

    class Meta:
        model = CapitalCheck

    owner = factory.SubFactory(UserFactory)
    taken_on = dt.date(2026, 1, 5)

    @classmethod
    def _create(cls, model_class, *args, answers=None, **kwargs):
        for field, value in zip(ITEM_FIELDS, answers or [4] * 10, strict=True):
            kwargs.setdefault(field, value)
        return super()._create(model_class, *args, **kwargs)


def answers_post(values):
    """Form data answering the ten statements with `values` (a list of ten, or one value for all)."""
    values = values if isinstance(values, list) else [values] * 10
    return {field: str(value) for field, value in zip(ITEM_FIELDS, values, strict=True)}
