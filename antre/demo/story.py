"""The founding story, ready to play on ``make run`` (PRODUCT.md "Full is not
the end"; the waiting-list issue's "Done when").

"My SIM expires in five days and every slot for three weeks is full." The
demo makes it so at the MPP: SIM renewal (perpanjangan SIM) is booked out from
now to three weeks ahead, and 50 citizens already wait for it, all with later
deadlines than the one the player will give, a dozen of them due within
about ten days (more than the seats that usually free up: the deadline-miss
forecast shows them). Then:

1. sign in as ``warga@antre.test`` and join the waiting list for SIM renewal
   at the MPP with a deadline five days ahead: you are first in line, ahead
   of the 50 who came before you, because your deadline is the earliest;
2. free a seat: sign in as one of the booked citizens
   (``pemohon-sim-001@antre.test``, same password) and cancel, or cancel a
   booking in the back office: the seat is offered to you (or booked, if you
   chose automatic booking) before anyone else sees it;
3. as ``admin-polres`` (or ``admin``), open the reports: the deadline-miss
   forecast for SIM renewal; add a session or raise a day's seats in the
   schedule, and watch the count fall.

The bookings are written in bulk, as an MPP's booking day would have left
them (no e-mails: these citizens are invented); the waiting entries go
through the waiting list's own service. Idempotent: a second run, or a run
after the story was played, changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F

from antre.accounts import nik as nik_module
from antre.accounts.models import User
from antre.booking.models import Booking, BookingStatus, Slot
from antre.catalog.models import SiteService
from antre.core import clock
from antre.core.codes import new_code
from antre.demo import data
from antre.waitlist.services import join_waitlist

SERVICE = "perpanjangan-sim"
FULL_DAYS = 21
WAITING = 50
URGENT = 12  # of the 50, due within about ten days
BOOKED_PREFIX = "pemohon-sim-"
WAITING_PREFIX = "penunggu-sim-"
DOMAIN = "antre.test"

_GIVEN = ("Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gilang", "Hana", "Indra", "Joko")
_FAMILY = ("Santoso", "Wijaya", "Lestari", "Saputra", "Rahmawati", "Hidayat", "Purnomo", "Siregar")


@dataclass(frozen=True)
class StorySummary:
    booked: int
    waiting: int
    skipped: bool = False


def _name(number: int) -> str:
    return f"{_GIVEN[number % len(_GIVEN)]} {_FAMILY[(number // len(_GIVEN)) % len(_FAMILY)]}"


def _citizens(prefix: str, series: int, count: int, password: str) -> list[User]:
    now = clock.now()
    users = []
    for number in range(1, count + 1):
        nik = nik_module.validate(f"3275{series:02d}0101{85 + number % 10:02d}{number:04d}")
        email = f"{prefix}{number:03d}@{DOMAIN}"
        users.append(
            User(
                username=email,
                email=email,
                full_name=_name(number),
                password=password,
                nik=nik,
                nik_digest=nik_module.digest(nik),
                nik_masked=nik_module.mask(nik),
                email_verified_at=now,
            )
        )
    User.objects.bulk_create(users, batch_size=500)
    return list(User.objects.filter(username__startswith=prefix).order_by("username"))


def seed_founding_story(*, password: str) -> StorySummary:
    """Book SIM renewal at the MPP out for three weeks and put 50 citizens on
    its waiting list (see the module's docstring)."""
    if User.objects.filter(username__startswith=BOOKED_PREFIX).exists():
        return StorySummary(booked=0, waiting=0, skipped=True)
    site_service = SiteService.objects.select_related("site", "service").get(
        site__slug=data.MPP, service__slug=SERVICE
    )
    site = site_service.site
    today = clock.today(site.timezone)
    start = clock.now()
    end = dt.datetime.combine(
        today + dt.timedelta(days=FULL_DAYS + 1), dt.time.min, tzinfo=site.tzinfo
    )
    hashed = make_password(password)
    with transaction.atomic():
        slots = list(
            Slot.objects.select_for_update()
            .filter(site_service=site_service, is_open=True, start__gte=start, start__lt=end)
            .order_by("start")
        )
        seats = sum(max(slot.capacity - slot.booked - slot.held, 0) for slot in slots)
        holders = iter(_citizens(BOOKED_PREFIX, 1, seats, hashed))
        bookings = []
        for slot in slots:
            free = max(slot.capacity - slot.booked - slot.held, 0)
            for _ in range(free):
                bookings.append(
                    Booking(
                        code=new_code(),
                        citizen=next(holders),
                        slot=slot,
                        site=site,
                        service=site_service.service,
                        status=BookingStatus.CONFIRMED,
                    )
                )
            if free:
                Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + free)
        Booking.objects.bulk_create(bookings, batch_size=500)

        waiters = _citizens(WAITING_PREFIX, 2, WAITING, hashed)
        for number, citizen in enumerate(waiters):
            # A dozen due in 8 to 11 days, the rest in 12 to 21: all later
            # than the player's five days, all inside the booked-out weeks.
            days = 8 + number % 4 if number < URGENT else 12 + (number * 7) % 10
            join_waitlist(
                citizen=citizen,
                service=site_service.service,
                sites=[site],
                earliest=today,
                latest=today + dt.timedelta(days=days),
            )
    return StorySummary(booked=len(bookings), waiting=len(waiters))
