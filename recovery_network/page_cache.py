"""Rendered pages cached in Redis under a key that changes whenever what they show changes.

Every person has a `data_version` on their user row, which the request has
loaded anyway. Any write to a record they own bumps it — a saved or deleted
model instance (signals), a QuerySet update/delete/bulk_create through
`OwnedQuerySet`, a change to a check-in's "what helped" links, a profile save —
so a page's key is built from values already in hand and costs no query:

    page:<name>:<person>:<data_version>:<their local date>:<quarter hour>:<extra>:<release>

The local date makes "today" turn over at their midnight exactly. The quarter
hour bounds everything else that changes with the clock alone (a supporter
falling due for a call): it shows within fifteen minutes, and any forgotten
bump heals by then too. The release's fingerprint (our templates and modules)
makes a deploy's new markup show at once.

CSRF tokens belong to a browser, not a person: fragments are rendered with a
marker in their place, swapped for the request's own token on the way out. The
marker is drawn at random for each rendering and kept beside it, so no text a
person typed into the page can contain it: a fixed marker typed into an
encouragement would have shown its recipient their own token there.

`fragment()`/`fragments()` keep parts of a page; `page()` keeps a whole page, header
and navigation included, compressed, and sends it as `deflate` where the browser takes
it (each request's token compressed on its own between the stored pieces).
"""

import functools
import hashlib
import secrets
import struct
import threading
import time
import zlib
from collections import OrderedDict
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

BUCKET_SECONDS = 15 * 60


def csrf_marker():
    """A stand-in for the CSRF token in one rendering: random, so nothing rendered can hold it beforehand."""
    return f"csrf-{secrets.token_hex(16)}"


def _release_fingerprint():
    """Our templates and code as deployed: a release that changes how a page looks changes every key."""
    digest = hashlib.blake2b(digest_size=6)
    root = Path(settings.BASE_DIR)
    files = [path for folder in settings.TEMPLATES[0]["DIRS"] for path in Path(folder).rglob("*.html")]
    files += [path for app in ("recovery_network", "supports", "milestones") for path in (root / app).glob("*.py")]
    for path in sorted(files):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


RELEASE_FINGERPRINT = _release_fingerprint()


def bump(owners):
    """Mark these people's data changed: every cached page of theirs (and of their circle) is now stale.

    `owners` is ids, or a queryset of ids (then one UPDATE … WHERE id IN (subquery)).
    """
    from .models import User

    if not isinstance(owners, QuerySet):
        owners = {owner_id for owner_id in owners if owner_id is not None}
        if not owners:
            return
    User.objects.filter(pk__in=owners).update(data_version=F("data_version") + 1)


def bucket(now=None):
    return int((now or timezone.now()).timestamp() // BUCKET_SECONDS)


def key(name, person, version, *extra, now=None):
    """The cache key of one rendering; `extra` names anything else the page shows (a sort, a viewer's scopes)."""
    parts = [str(part) for part in extra]
    tail = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=10).hexdigest() if parts else "-"
    today = person.local_today(now).isoformat()
    return f"page:{name}:{person.pk}:{version}:{today}:{bucket(now)}:{tail}:{RELEASE_FINGERPRINT}"


def fragment(request, cache_key, template_name, context_factory):
    """The rendered template under `cache_key`, rendering it (context from `context_factory()`) on a miss."""
    [html] = fragments(request, (cache_key, template_name, context_factory))
    return html


def fragments(request, *specs):
    """Several fragments (each a (cache_key, template_name, context_factory)) with one cache round trip."""
    found = cache.get_many([cache_key for cache_key, _, _ in specs]) if settings.PAGE_CACHE else {}
    rendered = {}
    results = []
    # Inside a whole page being rendered for the cache, the fragment takes the page's marker, and the
    # page swaps the token in once it is stored.
    token = getattr(request, "_page_cache_marker", None)
    for cache_key, template_name, context_factory in specs:
        stored = found.get(cache_key)
        if stored is None:
            context = context_factory()
            context["csrf_token"] = marker = csrf_marker()
            # Rendered with the request (context processors run) but our marker wins over theirs.
            stored = rendered[cache_key] = (marker, render_to_string(template_name, context, request=request))
        marker, html = stored
        if marker in html:
            token = token or get_token(request)
            html = html.replace(marker, token)
        results.append(mark_safe(html))  # noqa: S308 — our own template's output
    if rendered and settings.PAGE_CACHE:
        cache.set_many(rendered, BUCKET_SECONDS + 60)
    return results


def chrome(request):
    """What the header and navigation show of the signed-in person, for a whole page's key: who they
    are and their unread count (the rest of the chrome is the same for everyone on the same page)."""
    user = request.user
    return f"chrome:{user.pk}.{user.unread_notifications}"


def page(request, cache_key, template_name, context_factory):
    """A whole page, header and navigation included, as an HttpResponse: from the cache under `cache_key`,
    or rendered (context from `context_factory()`, with the request's context processors) and kept.

    Around a cached body the chrome still cost a millisecond or more to render on every
    request. The key must name everything the page shows: build it with key(), naming
    chrome(request) among its parts. A request carrying messages ("Saved.") is rendered and
    not kept, so the messages show once; CSRF tokens are swapped in as for fragments.
    """
    if not settings.PAGE_CACHE or _has_messages(request):
        return HttpResponse(render_to_string(template_name, context_factory(), request=request))
    stored = kept_pages.get(cache_key)
    if stored is None:
        stored = cache.get(cache_key)
        if stored is None:
            request._page_cache_marker = marker = csrf_marker()
            try:
                context = context_factory()
                context["csrf_token"] = marker
                stored = compress(render_to_string(template_name, context, request=request), marker)
            finally:
                del request._page_cache_marker
            cache.set(cache_key, stored, BUCKET_SECONDS + 60)
        kept_pages.put(cache_key, stored)
    return _respond(request, stored)


class KeptPages:
    """The whole pages this process served lately, in front of the shared cache.

    A page's key names everything it shows (each person's data version, their local day,
    the quarter hour, the release), so what a key holds never changes: a copy kept here
    can't go stale, and saves the shared cache's round trip for a page asked for again
    soon, as the same person's home page is. Bounded by the bytes of the compressed
    pages (PAGE_CACHE_LOCAL_BYTES a process), the least recently used dropped first,
    and by the shared cache's own lifetime for an entry. The access check and its log
    line run before a page is looked up, here as in the shared cache.
    """

    def __init__(self, max_bytes, seconds=BUCKET_SECONDS + 60):
        self.max_bytes, self.seconds = max_bytes, seconds
        self._entries = OrderedDict()  # key -> (expires at, stored page, its bytes), the most recent last
        self._bytes = 0
        self._lock = threading.Lock()  # gthread workers share the process

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key, stored):
        size = sum(len(piece) for piece in stored[0]) + len(key)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic() + self.seconds, stored, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key):
        self._bytes -= self._entries.pop(key)[2]

    def __len__(self):
        return len(self._entries)


kept_pages = KeptPages(settings.PAGE_CACHE_LOCAL_BYTES)


def _has_messages(request):
    return len(get_messages(request)) > 0  # reads the cookie only; the messages stay unread for the page


# Whole pages are kept compressed, and sent so to browsers that accept "deflate" (all do).
#
# A page is cut at its CSRF marker and each piece compressed on its own (raw deflate
# ended by a sync flush, so pieces join byte for byte). A request's token is compressed the
# same way and set between them: the stream is the zlib format HTTP's "deflate" names, its
# Adler-32 checksum joined from the pieces' own in constant time. The 500-person map goes
# out as about 24 kB instead of 338, with no compressing per request beyond the token; and
# the token, compressed apart from the page, can't be guessed from the size (BREACH).

_ZLIB_HEADER = b"\x78\x9c"  # deflate, 32 kB window, default level; (0x789c % 31 == 0)
_FINAL_BLOCK = zlib.compressobj(wbits=-15).flush()  # an empty last block
_ADLER_BASE = 65521


def _deflate(data, level=6):
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def compress(html, marker):
    """(pieces, their Adler-32s, their lengths): the page between its CSRF markers, compressed."""
    pieces = [piece.encode() for piece in html.split(marker)]
    return (
        tuple(_deflate(piece) for piece in pieces),
        tuple(zlib.adler32(piece) for piece in pieces),
        tuple(len(piece) for piece in pieces),
    )


def adler32_combine(adler1, adler2, length2):
    """The Adler-32 of A + B from those of A and B and the length of B (zlib's adler32_combine)."""
    remainder = length2 % _ADLER_BASE
    sum1 = adler1 & 0xFFFF
    sum2 = (remainder * sum1) % _ADLER_BASE
    sum1 = (sum1 + (adler2 & 0xFFFF) + _ADLER_BASE - 1) % _ADLER_BASE
    sum2 = (sum2 + (adler1 >> 16) + (adler2 >> 16) + _ADLER_BASE - remainder) % _ADLER_BASE
    return sum1 | (sum2 << 16)


def accepts_deflate(request):
    """Whether the request's Accept-Encoding takes "deflate" (named, or "*"), and not with q=0."""
    return _takes_deflate(request.META.get("HTTP_ACCEPT_ENCODING", ""))


@functools.lru_cache(maxsize=256)  # browsers send a handful of different headers
def _takes_deflate(header):
    accepted = {}
    for item in header.split(","):
        name, *params = item.split(";")
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[name.strip().lower()] = quality > 0
    return accepted.get("deflate", accepted.get("*", False))


def _respond(request, stored):
    segments, checks, lengths = stored
    token = get_token(request).encode() if len(segments) > 1 else b""
    if accepts_deflate(request):
        token_segment = _deflate(token, 1)
        body, check = [_ZLIB_HEADER, segments[0]], checks[0]
        for segment, segment_check, length in zip(segments[1:], checks[1:], lengths[1:], strict=True):
            body += [token_segment, segment]
            check = adler32_combine(zlib.adler32(token, check), segment_check, length)
        body += [_FINAL_BLOCK, struct.pack(">I", check)]
        response = HttpResponse(b"".join(body))
        response["Content-Encoding"] = "deflate"
    else:
        response = HttpResponse(token.join(zlib.decompressobj(-15).decompress(segment) for segment in segments))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


# Keeping data_version current


def _owner_route(model):
    """(field, rest): the first step of the model's owner path, and the path beyond it on the related model."""
    first, _, rest = model._default_manager.get_queryset().owner_path.partition("__")
    return model._meta.get_field(first), rest


def bump_owners_of(model, instances):
    """Bump the owners of freshly written instances of an owned model (one UPDATE)."""
    field, rest = _owner_route(model)
    ids = {getattr(instance, field.attname) for instance in instances}
    if not rest:
        bump(ids)
    elif ids - {None}:
        bump(field.related_model._default_manager.filter(pk__in=ids - {None}).values(rest))


def owned_models():
    """Every model whose records belong to a person and show on their pages."""
    from django.apps import apps

    from .querysets import OwnedQuerySet

    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.get_queryset(), OwnedQuerySet)
        and model._default_manager.get_queryset().changes_pages
    ]


def _record_changed(sender, instance, raw=False, origin=None, **kwargs):
    from .models import User

    if raw or isinstance(origin, User):
        return  # fixtures load as they are; a person's own deletion takes their pages with them
    from .querysets import OwnedQuerySet

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


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    _WATCHED.update(owned_models())
    for model in _WATCHED:
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(_record_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_record_changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(_links_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}")
