"""A short-lived, per-process cache of the site services that hot public
reads look up on every request (availability: a site and a service by slug).

The catalogue changes a few times a day and is read hundreds of times a
second, and compiling the lookup costs more than running it; so each process
keeps what it read for ``TTL_SECONDS``, answers from memory meanwhile, and
forgets everything at once when this process saves or deletes a Site, an
Agency, a Service or a SiteService (the signals are connected in
``CatalogConfig.ready``). Staleness, then:

- in the process that made the change: none, the cache is cleared by the
  change itself (and again when its transaction commits, in case a
  concurrent request re-read the old rows in between);
- in every other process (other workers, other hosts), and after a change
  that bypasses the signals (``QuerySet.update``, ``bulk_create``, raw SQL,
  a rolled-back transaction that was read from before the rollback): up to
  ``TTL_SECONDS``.

So this cache is for what the public reads, never for decisions that must
see the committed state (taking a seat re-checks under a lock anyway).

The instances handed out are shared between requests and threads: callers
must not mutate them (no attribute assignment, no ``save()``, no
``refresh_from_db()``, no prefetch into them). Site, service and the
service's agency are loaded, so reading them never queries nor writes into
the shared instance.

Expiry runs on ``time.monotonic``, not on ``antre.core.clock``: a frozen or
shifted business clock must not freeze the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from time import monotonic
from typing import Any

from django.db import transaction

from antre.catalog.models import Service, Site, SiteService
from antre.catalog.selectors import offered_site_service_query

TTL_SECONDS = 5.0
MAX_ENTRIES = 4096
"""Both lookups together; the oldest entries go first. Unknown slug pairs
are cached too (a scraper asking for every slug must not reach the
database each time), so the size has to be bounded."""

_SITE_SLUG_LENGTH = Site._meta.get_field("slug").max_length or 0
_SERVICE_SLUG_LENGTH = Service._meta.get_field("slug").max_length or 0

_Key = tuple[str, str] | int

_lock = threading.Lock()
_entries: OrderedDict[_Key, tuple[float, SiteService | None]] = OrderedDict()
# Bumped by every clear: a read that started before a clear must not store
# what it read after it, or the change it raced with would be hidden.
_generation = 0


def _load_offered(site_slug: str, service_slug: str) -> SiteService | None:
    return (
        offered_site_service_query(site_slug=site_slug, service_slug=service_slug)
        .select_related("site", "service__agency")
        .first()
    )


def _load_by_pk(pk: int) -> SiteService | None:
    return SiteService.objects.select_related("site", "service__agency").filter(pk=pk).first()


def _cached(
    key: _Key, load: Callable[[], SiteService | None], *, keep_missing: bool
) -> SiteService | None:
    now = monotonic()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = _generation
    # Read outside the lock: a slow query must not hold every other request.
    # Two threads missing the same key both read; the second store wins.
    value = load()
    if value is None and not keep_missing:
        return None
    with _lock:
        if generation == _generation:
            _entries[key] = (now + TTL_SECONDS, value)
            _entries.move_to_end(key)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return value


def _may_be_slug(value: str, max_length: int) -> bool:
    # Slugs are validated on the way in; the column bounds their length.
    return len(value) <= max_length and "\x00" not in value


def offered_site_service(site_slug: str, service_slug: str) -> SiteService | None:
    """What ``find_offered_site_service`` answers (None unless the site, the
    service and the offer are all active), with site, service and agency
    loaded, from this process's cache when it is fresh. Shared: do not
    mutate (see the module docstring)."""
    if not _may_be_slug(site_slug, _SITE_SLUG_LENGTH) or not _may_be_slug(
        service_slug, _SERVICE_SLUG_LENGTH
    ):
        # Not remembered, so that the bound on entries is also a bound on
        # memory; not asked either, as PostgreSQL refuses a NUL in a query.
        return None
    return _cached(
        (site_slug, service_slug),
        lambda: _load_offered(site_slug, service_slug),
        keep_missing=True,
    )


def site_service(pk: int) -> SiteService | None:
    """The site service ``pk`` whether or not it is active (callers decide
    what an inactive one means), with site, service and agency loaded; None
    when there is no such row (not cached: a row created by another process
    must be found at once). From this process's cache when it is fresh.
    Shared: do not mutate (see the module docstring)."""
    return _cached(pk, lambda: _load_by_pk(pk), keep_missing=False)


def clear() -> None:
    """Forget everything this process cached."""
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def clear_on_change(sender: type, **kwargs: Any) -> None:
    """Signal receiver for saves and deletes of the cached tables."""
    clear()
    # A request that read the old committed rows between the change and its
    # commit would have cached them again; clearing once more at commit
    # bounds that to the length of the transaction. Outside a transaction
    # on_commit runs at once, which costs a second clear and nothing else.
    using = kwargs.get("using")
    transaction.on_commit(clear, using=using)
