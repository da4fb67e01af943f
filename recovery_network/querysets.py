"""The vocabulary of reads every owned model shares.

A person's records are reached through `for_owner(user)`; a view fetches one
with `get_for_owner_or_404(user, pk=…)`, so ownership is checked in one place
and another person's id is always a 404, never their data.
"""

from django.db import models
from django.http import Http404


class OwnedQuerySet(models.QuerySet):
    # Models owned through a parent (a meeting time through its group) point this elsewhere.
    owner_path = "owner"

    def for_owner(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(**{self.owner_path: user})

    def get_for_owner_or_404(self, user, **lookup):
        try:
            return self.for_owner(user).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404(f"No {self.model._meta.verbose_name} here.") from exc
