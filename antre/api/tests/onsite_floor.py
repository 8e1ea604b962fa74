"""The ``city`` personas (antre.testing.personas) on the floor of their sites:
counters, a second kiosk and board at site T, an officer at T, and helpers to
issue tickets and make bookings. Each On-site API test module makes it with
``build_floor(city)``.

Site S: counter 1 serves service A, counter 2 serves A and B, counter 3 only
B. Site T: counter 1 serves A and B. The clock is frozen at Tuesday
2026-06-02 09:05 WIB; both sites open 08:00-15:00 on weekdays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antre.accounts.models import Role, User
from antre.booking.models import Booking
from antre.catalog.models import Counter, Service, Site
from antre.onsite import services
from antre.onsite.models import Ticket
from antre.testing import factories as f
from antre.testing.personas import City, staff


@dataclass
class Floor:
    city: City
    counter_a: Counter
    counter_ab: Counter
    counter_b: Counter
    counter_t: Counter
    officer_t: User
    kiosk_t: User
    board_t: User

    @property
    def site(self) -> Site:
        return self.city.site_s

    def walk_in(
        self, service: Service | None = None, *, site: Site | None = None, priority: str = ""
    ) -> Ticket:
        return services.issue_walk_in(
            site=site or self.city.site_s,
            service=service or self.city.service_a,
            actor=None,
            priority=priority,
        )

    def booking(
        self,
        start: str = "2026-06-02T09:30:00+07:00",
        *,
        site: Site | None = None,
        service: Service | None = None,
        **fields: object,
    ) -> Booking:
        """A confirmed booking of a 30-minute slot starting at ``start``."""
        site_service = self.city.site_service(
            site or self.city.site_s, service or self.city.service_a
        )
        begins = dt.datetime.fromisoformat(start)
        slot = f.SlotFactory.create(
            site_service=site_service,
            start=begins,
            end=begins + dt.timedelta(minutes=30),
            capacity=50,
        )
        return f.BookingFactory.create(slot=slot, **{"status": "confirmed", **fields})

    def call(self, counter: Counter | None = None) -> Ticket:
        """Call the next waiting ticket to ``counter`` (counter 1 of S)."""
        called = services.call_next(counter=counter or self.counter_a, actor=None)
        assert called is not None
        return called

    def called(self, counter: Counter | None = None) -> Ticket:
        """A new walk-in of service A, called to ``counter`` (counter 1 of S);
        for tests where nobody else waits there."""
        counter = counter or self.counter_a
        ticket = self.walk_in(site=counter.site)
        called = self.call(counter)
        assert called.pk == ticket.pk
        return called


def build_floor(city: City) -> Floor:
    site_s, site_t = city.site_s, city.site_t
    s_a = city.site_service(site_s, city.service_a)
    s_b = city.site_service(site_s, city.service_b)
    counter_a = f.CounterFactory.create(site=site_s, number=1)
    counter_a.site_services.set([s_a])
    counter_ab = f.CounterFactory.create(site=site_s, number=2)
    counter_ab.site_services.set([s_a, s_b])
    counter_b = f.CounterFactory.create(site=site_s, number=3)
    counter_b.site_services.set([s_b])
    counter_t = f.CounterFactory.create(site=site_t, number=1)
    counter_t.site_services.set(
        [city.site_service(site_t, city.service_a), city.site_service(site_t, city.service_b)]
    )
    return Floor(
        city=city,
        counter_a=counter_a,
        counter_ab=counter_ab,
        counter_b=counter_b,
        counter_t=counter_t,
        officer_t=staff("petugas-t", Role.OFFICER, site=site_t),
        kiosk_t=staff("kiosk-t", Role.KIOSK, site=site_t),
        board_t=staff("board-t", Role.BOARD, site=site_t),
    )
