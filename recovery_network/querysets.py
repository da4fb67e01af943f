"""The vocabulary of reads every owned model shares.

A person's records are reached through `for_owner(user)`; a view fetches one
with `get_for_owner_or_404(user, pk=…)`, so ownership is checked in one place
and another person's id is always a 404, never their data.
"""

from django.db import models
from django.dispatch import Signal
from django.http import Http404

# Writes that bypass model signals announce whose pages they change; the page cache (page_cache.py) listens.
# With `owners`: ids, or a queryset of ids.
owners_changed = Signal()
# With `instances`: rows just written by bulk_create (their owners, and the people they name, are told).
records_written = Signal()


class OwnedQuerySet(models.QuerySet):
    # Models owned through a parent (a meeting time through its group) point this elsewhere.
    owner_path = "owner"
    # Whether a change here changes what the owner's pages show (the page cache, told by the signals above).
    # The access log and the notification centre keep their own counts and set this off.
    changes_pages = True
    # Other people whose own pages show whether a row names them (a grant's viewer, a consent's counselor: their
    # reminder settings offer the circle's kinds): a change marks their pages stale too.
    party_fields = ()

    def for_owner(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(**{self.owner_path: user})

    def get_for_owner_or_404(self, user, **lookup):
        try:
            return self.for_owner(user).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404(f"No {self.model._meta.verbose_name} here.") from exc

    # Writes that bypass model signals still mark the owners' pages stale.

    def update(self, **kwargs):
        if self.changes_pages:
            owners_changed.send(sender=self.model, owners=self.values(self.owner_path))
        for name in self.party_fields:
            # Those it named before, and anyone it names now.
            owners_changed.send(sender=self.model, owners=self.values(name))
            if name in kwargs:
                owners_changed.send(sender=self.model, owners=[getattr(kwargs[name], "pk", kwargs[name])])
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        if self.changes_pages:
            owners_changed.send(sender=self.model, owners=self.values(self.owner_path))
        for name in self.party_fields:
            owners_changed.send(sender=self.model, owners=self.values(name))
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        if self.changes_pages:
            records_written.send(sender=self.model, instances=objs)
        return objs
