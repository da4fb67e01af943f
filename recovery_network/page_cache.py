"""Parts of pages kept in the cache under keys that name everything they show, so none is ever stale.

Templates keep the expensive parts of a page with Django's {% cache %} tag, and the
view hands them what they read lazily (a callable, a SimpleLazyObject), so nothing is
worked out on a hit. A key names, as the tag's arguments:

- whose records the part shows and their `data_version`. Every person's row carries
  it, loaded with the request anyway; any write to a record they own bumps it — a saved
  or deleted model instance (signals), a QuerySet update/delete/bulk_create through
  `OwnedQuerySet`, a change to a check-in's "what helped" links, a profile save; and a
  row that names another person as a party (a grant's viewer, a consent's counselor) bumps them too;
- the local date it counts days in (so "today" turns over at that person's midnight)
  and the reader's zone (dates render in it); scopes, a sort, anything else it shows;
- `quarter`, the UTC quarter hour: what changes with the clock alone (a supporter
  falling due for a call) shows within fifteen minutes, and a forgotten bump heals then;
- `RELEASE`, our templates' and code's fingerprint: a deploy's new markup shows at once.

The context processor `recovery_network.context_processors.page_cache` supplies the
last two and the cache to use (none with PAGE_CACHE off). No cached part holds a form's
CSRF token, a message or a bound form: those stay outside, rendered per request.
tests/recovery_network/test_cached_pages.py renders every cached page for two readers
who differ in zone, scopes and preferences, warm and cold, and requires the same output.
"""

import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import F, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import User
from .querysets import OwnedQuerySet, owners_changed, records_written

BUCKET_SECONDS = 15 * 60


def _release_fingerprint():
    """Our templates, code and translations as deployed: a release that changes how a page looks changes every key.
    Read from the files' contents, so every machine running the same release agrees on it."""
    digest = hashlib.blake2b(digest_size=6)
    root = Path(settings.BASE_DIR)
    files = [path for folder in settings.TEMPLATES[0]["DIRS"] for path in Path(folder).rglob("*.html")]
    files += [path for app in ("recovery_network", "supports", "milestones") for path in (root / app).glob("*.py")]
    files += [path for folder in settings.LOCALE_PATHS for path in Path(folder).rglob("*.po")]
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


RELEASE_FINGERPRINT = _release_fingerprint()


def bump(owners):
    """Mark these people's data changed: every cached page of theirs (and of their circle) is now stale.

    `owners` is ids, or a queryset of ids (then one UPDATE … WHERE id IN (subquery)).
    """
    if not isinstance(owners, QuerySet):
        owners = {owner_id for owner_id in owners if owner_id is not None}
        if not owners:
            return
    User.objects.filter(pk__in=owners).update(data_version=F("data_version") + 1)


def bucket(now=None):
    """The UTC quarter hour: what changes with the clock alone shows within one (every zone's midnight
    falls on a quarter hour of UTC)."""
    return int((now or timezone.now()).timestamp() // BUCKET_SECONDS)


# Keeping data_version current


def _owner_route(model):
    """(field, rest): the first step of the model's owner path, and the path beyond it on the related model."""
    first, _, rest = model._default_manager.get_queryset().owner_path.partition("__")
    return model._meta.get_field(first), rest


def bump_owners_of(model, instances):
    """Bump the owners of freshly written instances of an owned model (one UPDATE), and the other people they name
    whose pages show it (the queryset's `party_fields`)."""
    field, rest = _owner_route(model)
    ids = {getattr(instance, field.attname) for instance in instances}
    for name in model._default_manager.get_queryset().party_fields:
        ids |= {getattr(instance, model._meta.get_field(name).attname) for instance in instances}
    if not rest:
        bump(ids)
    elif ids - {None}:  # (an owned-through model names no parties)
        bump(field.related_model._default_manager.filter(pk__in=ids - {None}).values(rest))


def owned_models():
    """Every model whose records belong to a person and show on their pages."""
    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.get_queryset(), OwnedQuerySet)
        and model._default_manager.get_queryset().changes_pages
    ]


def _record_changed(sender, instance, raw=False, origin=None, **kwargs):
    if raw or isinstance(origin, User):
        return  # fixtures load as they are; a person's own deletion takes their pages with them
    if (
        origin is not None
        and origin is not instance
        and (type(origin) in _WATCHED or isinstance(origin, OwnedQuerySet))
    ):
        return  # a cascade (a group's attendance going with it): what was deleted first bumps its owner once
    bump_owners_of(sender, [instance])


def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A check-in's "what helped" links changed (from either side)."""
    if action.startswith("post_"):
        # From either side (a check-in, or a supporter) the links belong to the instance's owner.
        bump_owners_of(type(instance), [instance])


_WATCHED = set()


def _owners_changed(sender, owners, **kwargs):
    bump(owners)


def _records_written(sender, instances, **kwargs):
    bump_owners_of(sender, instances)


def connect():
    owners_changed.connect(_owners_changed, dispatch_uid="page-cache-owners-changed")
    records_written.connect(_records_written, dispatch_uid="page-cache-records-written")
    _WATCHED.update(owned_models())
    for model in _WATCHED:
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(_record_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_record_changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(_links_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}")
