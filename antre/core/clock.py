"""The one clock of antre: every "now" in the code comes from here.

Unset, ``now()`` is real time. With ``ANTRE_CLOCK=2026-06-02T09:05:00+07:00``
the clock starts at that instant when the first process starts and then runs
forward in real time (demos, staff training, acceptance tests). The real
instant at which it was set is exported as ``ANTRE_CLOCK_ANCHOR`` so that the
web server and the job worker started by one ``make run`` share the same
offset to the microsecond instead of each starting its own clock.

Tests freeze it with ``freeze()`` (see ``antre.core.testing``).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

UTC = dt.UTC

_lock = threading.Lock()
_offset: dt.timedelta | None = None
_frozen: dt.datetime | None = None


class ClockError(ValueError):
    pass


def parse_instant(value: str) -> dt.datetime:
    """An ISO 8601 instant with an offset (a naive value is refused: whose 09:00?)."""
    try:
        instant = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ClockError(
            f"ANTRE_CLOCK={value!r} is not an ISO 8601 instant like 2026-06-02T09:05:00+07:00."
        ) from None
    if instant.tzinfo is None:
        raise ClockError(f"ANTRE_CLOCK={value!r} needs an offset, e.g. +07:00.")
    return instant


def _real_now() -> dt.datetime:
    return dt.datetime.now(tz=UTC)


def _configured_offset() -> dt.timedelta:
    global _offset
    if _offset is None:
        with _lock:
            if _offset is None:
                _offset = _offset_from_environment()
    return _offset


def _offset_from_environment() -> dt.timedelta:
    setting = os.environ.get("ANTRE_CLOCK", "").strip()
    if not setting:
        return dt.timedelta(0)
    target = parse_instant(setting)
    anchor_raw = os.environ.get("ANTRE_CLOCK_ANCHOR", "")
    if anchor_raw:
        anchor = dt.datetime.fromtimestamp(float(anchor_raw), tz=UTC)
    else:
        anchor = _real_now()
        os.environ["ANTRE_CLOCK_ANCHOR"] = repr(anchor.timestamp())
    return target - anchor


def now() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return _real_now() + _configured_offset()


def localnow(timezone: str | dt.tzinfo) -> dt.datetime:
    """The current instant in a site's time zone (sites carry their own)."""
    tz = zoneinfo.ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return now().astimezone(tz)


def today(timezone: str | dt.tzinfo) -> dt.date:
    """Today's date where the site is: 23:30 UTC is already tomorrow in Jakarta."""
    return localnow(timezone).date()


def reset() -> None:
    """Forget the configured offset so the next call reads ANTRE_CLOCK again."""
    global _offset, _frozen
    with _lock:
        _offset = None
        _frozen = None


def set_frozen(instant: dt.datetime | None) -> None:
    global _frozen
    if instant is not None and instant.tzinfo is None:
        raise ClockError("A frozen instant needs a time zone.")
    _frozen = instant.astimezone(UTC) if instant is not None else None


@contextmanager
def freeze(instant: dt.datetime | str) -> Iterator[FrozenClock]:
    """Stop the clock at ``instant`` for the duration of the block."""
    previous = _frozen
    start = parse_instant(instant) if isinstance(instant, str) else instant
    set_frozen(start)
    try:
        yield FrozenClock()
    finally:
        set_frozen(previous)


class FrozenClock:
    """Handle returned by ``freeze``: move a frozen clock on explicitly."""

    def now(self) -> dt.datetime:
        return now()

    def move_to(self, instant: dt.datetime | str) -> None:
        set_frozen(parse_instant(instant) if isinstance(instant, str) else instant)

    def advance(self, delta: dt.timedelta | None = None, **kwargs: float) -> None:
        step = delta if delta is not None else dt.timedelta(**kwargs)
        set_frozen(now() + step)
