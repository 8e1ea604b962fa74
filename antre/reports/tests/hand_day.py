"""A day built by hand: Monday 1 June 2026 at the persona city's sites, with
every ticket event, booking, counter shift and waiting-list entry at a known
local time (WIB), so that each report figure can be worked out on paper.

Gerai S (room cap 2), counter 1 serves layanan A, counter 2 layanan B:

====  =====  =======  ======  ======  =======  =======  ==============  ======
tkt   where  kind     issued  called  started  ended    inside          note
====  =====  =======  ======  ======  =======  =======  ==============  ======
T1    S/A    walk-in  09:00   09:05   09:06    09:16 f  09:00-09:16
T2    S/A    booking  09:02   09:16   09:17    09:37 f  09:02-09:37     BK1
T3    S/A    walk-in  09:10   09:37   -        09:43 ns 09:16-09:43     2 recalls
T4    S/A    walk-in  09:20   09:43   09:44    09:49 f  09:37-09:49
T5    S/B    walk-in  09:05   09:06   09:07    09:19 f  09:06-09:19     counter 2
T6    S/A    walk-in  10:00   10:05   -        10:08 tr 10:00-10:08     -> T7
T7    S/B    walk-in  10:08   10:10   10:11    10:21 f  10:08-10:21     counter 2
====  =====  =======  ======  ======  =======  =======  ==============  ======

S/A: waits 5, 14, 27, 23, 5 -> median 14, p90 23 + 0.6 * 4 = 25.4; services 10,
20, 5 -> median 10, p90 10 + 0.8 * 10 = 18. Bookings BK1 (completed, T2), BK2
(cancelled), BK3 (never came): 3 bookings, 1 cancellation, 2 no-shows (BK3
and T3), 4 walk-ins (T1, T3, T4, T6), 5 tickets.

S/B: T5 and T7 (T7 is T6 transferred, not a new visitor): 1 ticket, 1 walk-in;
waits 1, 2 -> median 1.5, p90 1.9; services 12, 10 -> median 11, p90 11.8.

T/B: BK5 never came: 1 booking, 1 no-show.

Counter 1 open 09:00-10:30 (90 min), busy 11 + 21 + 6 + 6 + 3 = 47 min.
Counter 2 open 09:00-10:00 and 10:05-11:05 (120 min), busy 13 + 11 = 24 min.

Seats: S/A 10 + 10 (and a closed slot of 5, not counted), S/B 4, T/B 6.
Waiting list with deadline 1 June: E1 (layanan A, at S and T, waiting), E3
(layanan B, at S, expired); E2 (booked), E4 (deadline 2 June) and E5 (a
request to move a booking earlier) are not demand of the day.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from antre.booking.models import Booking, BookingStatus, Slot
from antre.catalog.models import Counter, Service, Site
from antre.onsite.models import (
    CounterShift,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
)
from antre.testing import factories as f
from antre.testing.personas import City
from antre.waitlist.models import WaitlistEntry, WaitlistKind, WaitlistStatus

DAY = dt.date(2026, 6, 1)
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def at(clock_time: str, day: dt.date = DAY) -> dt.datetime:
    hour, minute = (int(part) for part in clock_time.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


@dataclass
class HandDay:
    city: City
    counter_1: Counter
    counter_2: Counter
    tickets: dict[str, Ticket]
    bookings: dict[str, Booking]


def make_ticket(
    *,
    site: Site,
    service: Service,
    sequence: int,
    kind: str,
    events: list[tuple[str, str, Counter | None]],
    booking: Booking | None = None,
    transferred_from: Ticket | None = None,
    status: str = TicketStatus.DONE,
) -> Ticket:
    times = {event: at(moment) for event, moment, _counter in events}
    counter = next((counter for _event, _moment, counter in events if counter), None)
    ticket = Ticket.objects.create(
        site=site,
        service=service,
        service_date=DAY,
        prefix=service.ticket_prefix,
        sequence=sequence,
        kind=kind,
        booking=booking,
        status=status,
        issued_at=times["issued"],
        queued_at=times["issued"],
        admitted_at=times.get("admitted"),
        called_at=times.get("called"),
        started_at=times.get("started"),
        finished_at=times.get("finished") or times.get("no_show") or times.get("transferred"),
        counter=counter,
        transferred_from=transferred_from,
    )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            kind=event,
            at=at(moment),
            site=site,
            service=service,
            counter=event_counter,
        )
        for event, moment, event_counter in events
    )
    return ticket


def make_slot(site: Site, service: Service, city: City, start: str, capacity: int) -> Slot:
    return f.SlotFactory.create(
        site_service=city.site_service(site, service),
        start=at(start),
        end=at(start) + dt.timedelta(minutes=30),
        capacity=capacity,
        booked=0,
    )


def make_booking(slot: Slot, status: str, citizen: object) -> Booking:
    booking = f.BookingFactory.create(slot=slot, citizen=citizen, status=status)
    return booking


def build_hand_day(city: City) -> HandDay:
    site_s, site_t = city.site_s, city.site_t
    service_a, service_b = city.service_a, city.service_b
    Site.objects.filter(pk=site_s.pk).update(room_capacity=2)
    site_s.refresh_from_db()
    counter_1 = f.CounterFactory.create(site=site_s, number=1, name="Satu")
    counter_1.site_services.set([city.site_service(site_s, service_a)])
    counter_2 = f.CounterFactory.create(site=site_s, number=2, name="Dua")
    counter_2.site_services.set([city.site_service(site_s, service_b)])
    for counter, opened, closed in (
        (counter_1, "09:00", "10:30"),
        (counter_2, "09:00", "10:00"),
        (counter_2, "10:05", "11:05"),
    ):
        CounterShift.objects.create(counter=counter, opened_at=at(opened), closed_at=at(closed))

    slot_a_9 = make_slot(site_s, service_a, city, "09:00", 10)
    slot_a_10 = make_slot(site_s, service_a, city, "10:00", 10)
    closed = make_slot(site_s, service_a, city, "11:00", 5)
    Slot.objects.filter(pk=closed.pk).update(is_open=False)
    make_slot(site_s, service_b, city, "09:00", 4)
    slot_t_b = make_slot(site_t, service_b, city, "11:00", 6)
    bookings = {
        "BK1": make_booking(slot_a_9, BookingStatus.COMPLETED, city.citizen_a),
        "BK2": make_booking(slot_a_10, BookingStatus.CANCELLED, city.citizen_b),
        "BK3": make_booking(slot_a_10, BookingStatus.CONFIRMED, city.citizen_b),
        "BK5": make_booking(slot_t_b, BookingStatus.CONFIRMED, city.citizen_a),
    }

    walk_in, appointment = TicketKind.WALK_IN, TicketKind.APPOINTMENT
    tickets: dict[str, Ticket] = {}
    tickets["T1"] = make_ticket(
        site=site_s,
        service=service_a,
        sequence=1,
        kind=walk_in,
        events=[
            ("issued", "09:00", None),
            ("admitted", "09:00", None),
            ("called", "09:05", counter_1),
            ("started", "09:06", counter_1),
            ("finished", "09:16", counter_1),
        ],
    )
    tickets["T2"] = make_ticket(
        site=site_s,
        service=service_a,
        sequence=2,
        kind=appointment,
        booking=bookings["BK1"],
        events=[
            ("issued", "09:02", None),
            ("admitted", "09:02", None),
            ("called", "09:16", counter_1),
            ("started", "09:17", counter_1),
            ("finished", "09:37", counter_1),
        ],
    )
    tickets["T3"] = make_ticket(
        site=site_s,
        service=service_a,
        sequence=3,
        kind=walk_in,
        status=TicketStatus.NO_SHOW,
        events=[
            ("issued", "09:10", None),
            ("admitted", "09:16", None),
            ("called", "09:37", counter_1),
            ("recalled", "09:39", counter_1),
            ("recalled", "09:41", counter_1),
            ("no_show", "09:43", counter_1),
        ],
    )
    tickets["T4"] = make_ticket(
        site=site_s,
        service=service_a,
        sequence=4,
        kind=walk_in,
        events=[
            ("issued", "09:20", None),
            ("admitted", "09:37", None),
            ("called", "09:43", counter_1),
            ("started", "09:44", counter_1),
            ("finished", "09:49", counter_1),
        ],
    )
    tickets["T5"] = make_ticket(
        site=site_s,
        service=service_b,
        sequence=1,
        kind=walk_in,
        events=[
            ("issued", "09:05", None),
            ("admitted", "09:06", counter_2),
            ("called", "09:06", counter_2),
            ("started", "09:07", counter_2),
            ("finished", "09:19", counter_2),
        ],
    )
    tickets["T6"] = make_ticket(
        site=site_s,
        service=service_a,
        sequence=5,
        kind=walk_in,
        status=TicketStatus.TRANSFERRED,
        events=[
            ("issued", "10:00", None),
            ("admitted", "10:00", None),
            ("called", "10:05", counter_1),
            ("transferred", "10:08", counter_1),
        ],
    )
    tickets["T7"] = make_ticket(
        site=site_s,
        service=service_b,
        sequence=2,
        kind=walk_in,
        transferred_from=tickets["T6"],
        events=[
            ("issued", "10:08", None),
            ("admitted", "10:08", None),
            ("called", "10:10", counter_2),
            ("started", "10:11", counter_2),
            ("finished", "10:21", counter_2),
        ],
    )

    def entry(
        service: Service,
        sites: list[Site],
        latest: dt.date,
        status: str,
        citizen: object,
        kind: str = WaitlistKind.DEADLINE,
    ) -> None:
        made = WaitlistEntry.objects.create(
            citizen=citizen,
            service=service,
            kind=kind,
            earliest=dt.date(2026, 5, 25),
            latest=latest,
            status=status,
        )
        made.sites.set(sites)

    entry(service_a, [site_s, site_t], DAY, WaitlistStatus.WAITING, city.citizen_a)
    entry(service_a, [site_s], DAY, WaitlistStatus.BOOKED, city.citizen_a)
    entry(service_b, [site_s], DAY, WaitlistStatus.EXPIRED, city.citizen_a)
    entry(service_a, [site_s], DAY + dt.timedelta(days=1), WaitlistStatus.WAITING, city.citizen_b)
    # A citizen holding a booking who would take an earlier seat: no new demand.
    entry(
        service_b,
        [site_s],
        DAY,
        WaitlistStatus.WAITING,
        city.citizen_b,
        kind=WaitlistKind.EARLIER_SEAT,
    )
    return HandDay(
        city=city,
        counter_1=counter_1,
        counter_2=counter_2,
        tickets=tickets,
        bookings=bookings,
    )
