"""A tiny per-process cache of finished answers for a second or so.

In a booking rush thousands of people reload the same few availability
pages each second. Each answer is correct only for an instant anyway (seats
go while it travels; the booking itself is decided by the guarded UPDATE),
so answering the same question from memory for ``ttl`` seconds changes
nothing anyone can rely on and spares the database and the ORM nearly all of
that work. Other processes keep their own copies: an answer is at most
``ttl`` seconds old wherever it comes from.

Expiry runs on ``time.monotonic``, not on ``antre.core.clock``: a frozen or
shifted business clock must not freeze the cache. ``ttl`` 0 turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from time import monotonic


class MicroCache[ValueT]:
    def __init__(self, *, ttl: Callable[[], float], max_entries: int = 1024) -> None:
        # A callable, so that settings overridden in a test take effect.
        self._ttl = ttl
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, ValueT]] = OrderedDict()

    def get_or_make(self, key: Hashable, make: Callable[[], ValueT]) -> ValueT:
        """The fresh value of ``key``, else ``make()`` (stored for ``ttl``).
        Two threads missing the same key both make it; the later one is kept."""
        ttl = self._ttl()
        if ttl <= 0:
            return make()
        now = monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return entry[1]
        value = make()
        with self._lock:
            self._entries[key] = (now + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
