"""The cast of STYLE.md rule 9: one small city where every role has someone.

Two sites (S and T) and two agencies (A and B), each agency offering one
service at both sites. Scoping tests ask each persona what it may see and do:
an agency admin of B must see nothing of A.

``build_holdings`` adds what the personas own (bookings, a ticket, a
waiting-list entry, counters, closures, schedule rules), and ``api_tokens`` /
``session_cookies`` sign each persona in as it really does; together they
make the world of the authorisation matrix (antre.testing.matrix).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antre.accounts.models import Role, StaffRole, User
from antre.booking.models import Booking, Slot
from antre.catalog.models import Agency, Closure, Counter, ScheduleRule, Service, Site, SiteService
from antre.core import clock
from antre.onsite.models import Kiosk, Ticket
from antre.testing import factories as f
from antre.waitlist.models import Offer, WaitlistEntry


@dataclass
class City:
    site_s: Site
    site_t: Site
    agency_a: Agency
    agency_b: Agency
    service_a: Service
    service_b: Service
    site_services: dict[tuple[str, str], SiteService]
    anonymous: None
    citizen_a: User
    citizen_b: User
    officer_s_a: User
    agency_admin_a: User
    agency_admin_b: User
    site_admin_s: User
    city_admin: User
    kiosk_s: User
    board_s: User

    def site_service(self, site: Site, service: Service) -> SiteService:
        return self.site_services[(site.slug, service.slug)]


def staff(username: str, role: Role, **scope: object) -> User:
    user = f.UserFactory.create(
        username=username,
        email=f"{username}@antre.test",
        is_staff=role in {Role.CITY_ADMIN, Role.SITE_ADMIN, Role.AGENCY_ADMIN},
    )
    StaffRole.objects.create(user=user, role=role, **scope)
    return user


def build_city() -> City:
    site_s = f.SiteFactory.create(slug="gerai-s", name="Gerai S")
    site_t = f.SiteFactory.create(slug="gerai-t", name="Gerai T")
    agency_a = f.AgencyFactory.create(slug="instansi-a", name="Instansi A", short_name="A")
    agency_b = f.AgencyFactory.create(slug="instansi-b", name="Instansi B", short_name="B")
    service_a = f.ServiceFactory.create(
        agency=agency_a, slug="layanan-a", name="Layanan A", ticket_prefix="A"
    )
    service_b = f.ServiceFactory.create(
        agency=agency_b, slug="layanan-b", name="Layanan B", ticket_prefix="B"
    )
    site_services = {
        (site.slug, service.slug): f.SiteServiceFactory.create(site=site, service=service)
        for site in (site_s, site_t)
        for service in (service_a, service_b)
    }
    return City(
        site_s=site_s,
        site_t=site_t,
        agency_a=agency_a,
        agency_b=agency_b,
        service_a=service_a,
        service_b=service_b,
        site_services=site_services,
        anonymous=None,
        citizen_a=f.CitizenFactory.create(full_name="Warga A"),
        citizen_b=f.CitizenFactory.create(full_name="Warga B"),
        officer_s_a=staff("petugas-s-a", Role.OFFICER, site=site_s, agency=agency_a),
        agency_admin_a=staff("admin-a", Role.AGENCY_ADMIN, agency=agency_a),
        agency_admin_b=staff("admin-b", Role.AGENCY_ADMIN, agency=agency_b),
        site_admin_s=staff("admin-s", Role.SITE_ADMIN, site=site_s),
        city_admin=staff("admin-kota", Role.CITY_ADMIN),
        kiosk_s=staff("kiosk-s", Role.KIOSK, site=site_s),
        board_s=staff("board-s", Role.BOARD, site=site_s),
    )


# The personas of the authorisation matrix, in the order its tables list them.
PERSONAS: tuple[str, ...] = (
    "anonymous",
    "citizen_a",
    "citizen_b",
    "officer_s_a",
    "agency_admin_a",
    "agency_admin_b",
    "site_admin_s",
    "city_admin",
    "kiosk_s",
    "board_s",
)


def persona(city: City, name: str) -> User | None:
    """The account of a persona named as in ``PERSONAS``; ``None`` for anonymous."""
    user: User | None = getattr(city, name)
    return user


@dataclass
class Holdings:
    """What the personas of a ``City`` own, in the states the matrix needs.

    Citizen A: ``booking_a`` (service A at S, tomorrow, confirmed), a ticket
    (``ticket_own``: their booking of service B at S today, checked in and
    waiting), and a waiting-list entry for service A2 (agency A, at S) with an
    open offer. Citizen B: ``booking_b`` (service B at T, tomorrow) and
    ``arriving_b`` (service A at S, today, not checked in yet). Free seats:
    ``free_slot_a`` (service A at S) and ``free_slot_a2``. On the
    floor: counter 1 of S serves A, counter 2 of S serves B, counter 1 of T
    serves A and B; ``ticket_s_a`` is called to counter 1 of S and
    ``ticket_t_b`` to counter 1 of T. Each agency has a closure and a schedule
    rule: agency A's at S, agency B's at T.
    """

    service_a2: Service
    counter_s_a: Counter
    counter_s_b: Counter
    counter_t: Counter
    kiosk_t: User
    kiosk_device_s: Kiosk
    kiosk_device_t: Kiosk
    free_slot_a: Slot
    free_slot_a2: Slot
    booking_a: Booking
    booking_b: Booking
    booking_today_a: Booking
    arriving_b: Booking
    ticket_own: Ticket
    ticket_s_a: Ticket
    ticket_t_b: Ticket
    waitlist_a: WaitlistEntry
    offer_a: Offer
    closure_s_a: Closure
    closure_t_b: Closure
    rule_s_a: ScheduleRule
    rule_t_b: ScheduleRule


def _slot(
    city: City, site: Site, service: Service, start: str, capacity: int = 10, booked: int = 0
) -> Slot:
    begins = dt.datetime.fromisoformat(start)
    return f.SlotFactory.create(
        site_service=city.site_service(site, service),
        start=begins,
        end=begins + dt.timedelta(minutes=30),
        capacity=capacity,
        booked=booked,
    )


def build_holdings(city: City) -> Holdings:
    """Objects of each owner, made through the domain services where one
    exists (bookings, check-in, walk-ins, calls, the waiting list), so that
    they carry their outbox messages and audit events too. Expects the clock
    at a weekday morning inside opening hours (the project's frozen clock)."""
    from antre.booking.services import create_booking
    from antre.onsite import services as onsite
    from antre.waitlist.services import join_waitlist, offer_free_seats

    site_s, site_t = city.site_s, city.site_t
    today = clock.today(site_s.timezone)
    tomorrow = today + dt.timedelta(days=1)
    service_a2 = f.ServiceFactory.create(
        agency=city.agency_a, slug="layanan-a2", name="Layanan A2", ticket_prefix="C"
    )
    city.site_services[(site_s.slug, service_a2.slug)] = f.SiteServiceFactory.create(
        site=site_s, service=service_a2
    )
    counter_s_a = f.CounterFactory.create(site=site_s, number=1)
    counter_s_a.site_services.set([city.site_service(site_s, city.service_a)])
    counter_s_b = f.CounterFactory.create(site=site_s, number=2)
    counter_s_b.site_services.set([city.site_service(site_s, city.service_b)])
    counter_t = f.CounterFactory.create(site=site_t, number=1)
    counter_t.site_services.set(
        [city.site_service(site_t, city.service_a), city.site_service(site_t, city.service_b)]
    )
    kiosk_t = staff("kiosk-t", Role.KIOSK, site=site_t)

    at = f"{tomorrow.isoformat()}T10:00:00+07:00"
    booking_a = create_booking(
        citizen=city.citizen_a, slot_id=_slot(city, site_s, city.service_a, at).pk
    )
    booking_b = create_booking(
        citizen=city.citizen_b, slot_id=_slot(city, site_t, city.service_b, at).pk
    )
    free_slot_a = _slot(city, site_s, city.service_a, f"{tomorrow.isoformat()}T11:00:00+07:00")
    soon = f"{today.isoformat()}T09:30:00+07:00"
    # Too late to book through the service (it closes an hour before): as if
    # booked in time.
    booking_today_a = f.BookingFactory.create(
        citizen=city.citizen_a, slot=_slot(city, site_s, city.service_b, soon, booked=1)
    )
    arriving_b = f.BookingFactory.create(
        citizen=city.citizen_b, slot=_slot(city, site_s, city.service_a, soon, booked=1)
    )
    ticket_own = onsite.check_in(site=site_s, code=booking_today_a.code, actor=city.kiosk_s)
    booking_today_a.refresh_from_db()
    ticket_s_a = onsite.issue_walk_in(site=site_s, service=city.service_a, actor=city.kiosk_s)
    onsite.call_next(counter=counter_s_a, actor=city.officer_s_a)
    ticket_t_b = onsite.issue_walk_in(site=site_t, service=city.service_b, actor=kiosk_t)
    onsite.call_next(counter=counter_t, actor=None)
    for ticket in (ticket_own, ticket_s_a, ticket_t_b):
        ticket.refresh_from_db()

    waitlist_a = join_waitlist(
        citizen=city.citizen_a,
        service=service_a2,
        sites=[site_s],
        earliest=today,
        latest=today + dt.timedelta(days=20),
    )
    offered = _slot(city, site_s, service_a2, at, capacity=1)
    offer_free_seats(slot_id=offered.pk)
    offer_a = Offer.objects.get(entry=waitlist_a)
    later = f"{tomorrow.isoformat()}T11:00:00+07:00"

    return Holdings(
        service_a2=service_a2,
        counter_s_a=counter_s_a,
        counter_s_b=counter_s_b,
        counter_t=counter_t,
        kiosk_t=kiosk_t,
        kiosk_device_s=Kiosk.objects.create(user=city.kiosk_s, site=site_s, name="Kiosk S"),
        kiosk_device_t=Kiosk.objects.create(user=kiosk_t, site=site_t, name="Kiosk T"),
        free_slot_a=free_slot_a,
        free_slot_a2=_slot(city, site_s, service_a2, later),
        booking_a=booking_a,
        booking_b=booking_b,
        booking_today_a=booking_today_a,
        arriving_b=arriving_b,
        ticket_own=ticket_own,
        ticket_s_a=ticket_s_a,
        ticket_t_b=ticket_t_b,
        waitlist_a=waitlist_a,
        offer_a=offer_a,
        closure_s_a=f.ClosureFactory.create(
            site=site_s, service=city.service_a, start_date=today + dt.timedelta(days=7)
        ),
        closure_t_b=f.ClosureFactory.create(
            site=site_t, service=city.service_b, start_date=today + dt.timedelta(days=7)
        ),
        rule_s_a=f.ScheduleRuleFactory.create(
            site_service=city.site_service(site_s, city.service_a)
        ),
        rule_t_b=f.ScheduleRuleFactory.create(
            site_service=city.site_service(site_t, city.service_b)
        ),
    )


def api_tokens(city: City) -> dict[str, str]:
    """A bearer token per persona (none for anonymous), as each authenticates
    to the API: citizens' from ``POST /auth/token``, staff and devices' made in
    the back office; both end in ``create_api_token``."""
    from antre.accounts.tokens import create_api_token

    return {
        name: create_api_token(user=user, name="matrix")[1]
        for name in PERSONAS
        if (user := persona(city, name)) is not None
    }


def session_cookies(city: City) -> dict[str, str]:
    """A signed-in session per persona (none for anonymous), as the pages see
    them: the session cookie's value, to put in any test client."""
    from django.conf import settings
    from django.test import Client

    cookies: dict[str, str] = {}
    for name in PERSONAS:
        user = persona(city, name)
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        cookies[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies
