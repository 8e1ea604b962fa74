"""The shapes of the demo city's data: frozen records with no ORM behind them,
which ``antre.demo.seed`` turns into rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

WORKING_DAYS: Final = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class HoursData:
    weekday: int
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class SiteData:
    slug: str
    name: str
    address: str
    room_capacity: int
    hours: tuple[HoursData, ...]
    # What a schedule rule of this site covers unless its offering says
    # otherwise: the site's working day, start to end.
    default_session: tuple[dt.time, dt.time]


@dataclass(frozen=True)
class AgencyData:
    slug: str
    name: str
    short_name: str


@dataclass(frozen=True)
class ServiceData:
    agency: str
    slug: str
    name: str
    ticket_prefix: str
    duration_minutes: int
    requirements: tuple[str, ...]
    description: str = ""
    booking_opens_days: int = 30
    booking_closes_minutes: int = 60
    walk_in_allowed: bool = True
    walk_in_daily_quota: int = 20


@dataclass(frozen=True)
class RuleData:
    starts_at: dt.time
    ends_at: dt.time
    slot_minutes: int
    capacity: int
    weekdays: tuple[int, ...] = WORKING_DAYS


@dataclass(frozen=True)
class OfferingData:
    """A service offered at a site (a SiteService) with its schedule rules."""

    site: str
    service: str
    rules: tuple[RuleData, ...]
    ticket_prefix: str = ""
    walk_in_daily_quota: int | None = None


@dataclass(frozen=True)
class CounterData:
    site: str
    number: int
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class AccountData:
    """A demo login. ``role`` is an ``antre.accounts.models.Role`` value, or
    ``"citizen"`` for the demo citizen; ``site`` and ``agency`` are slugs."""

    username: str
    role: str
    full_name: str
    email: str = ""
    site: str | None = None
    agency: str | None = None
    is_staff: bool = False
    is_superuser: bool = False
    note: str = ""
