"""The persona city with something of everything at both sites, so that each
back-office list has rows a persona must see and rows it must not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from antre.accounts.models import User
from antre.booking.models import Booking, Slot
from antre.catalog.models import ScheduleRule
from antre.core.audit import record_event
from antre.onsite.models import Ticket
from antre.testing import factories as f
from antre.testing.personas import City
from antre.waitlist.models import WaitlistEntry

# Every back-office list a role-holding admin may open, by admin URL name.
SCOPED_CHANGELISTS = [
    "catalog_site",
    "catalog_agency",
    "catalog_service",
    "catalog_siteservice",
    "catalog_counter",
    "catalog_closure",
    "catalog_schedulerule",
    "booking_slot",
    "booking_booking",
    "onsite_ticket",
    "waitlist_waitlistentry",
    "core_auditevent",
]
CITY_ONLY_CHANGELISTS = [
    "accounts_user",
    "accounts_apitoken",
    "notifications_outboxmessage",
]
ALL_CHANGELISTS = SCOPED_CHANGELISTS + CITY_ONLY_CHANGELISTS


def changelist(name: str) -> str:
    return reverse(f"admin:{name}_changelist")


@dataclass
class World:
    city: City
    rules: dict[tuple[str, str], ScheduleRule]
    slots: dict[tuple[str, str], Slot]
    bookings: dict[tuple[str, str], Booking]


@pytest.fixture
def world(city: City) -> World:
    rules = {}
    slots = {}
    bookings = {}
    start = dt.datetime(2026, 6, 4, 9, 0, tzinfo=dt.UTC)
    for index, (key, site_service) in enumerate(sorted(city.site_services.items())):
        site_slug, service_slug = key
        rules[key] = f.ScheduleRuleFactory(site_service=site_service, capacity=10 + index)
        slots[key] = f.SlotFactory(site_service=site_service, start=start, booked=1)
        bookings[key] = f.BookingFactory(slot=slots[key])
        Ticket.objects.create(
            site=site_service.site,
            service=site_service.service,
            service_date=dt.date(2026, 6, 2),
            prefix=site_service.effective_ticket_prefix,
            sequence=1,
        )
        entry = WaitlistEntry.objects.create(
            # One open entry per citizen and service: a fresh citizen per site.
            citizen=f.CitizenFactory(),
            service=site_service.service,
            earliest=dt.date(2026, 6, 3),
            latest=dt.date(2026, 6, 30),
        )
        entry.sites.set([site_service.site])
        f.ClosureFactory(
            site=site_service.site,
            service=site_service.service,
            start_date=dt.date(2026, 6, 20),
            reason=f"Tutup {service_slug} di {site_slug}",
        )
        record_event(
            action="test.event",
            site_id=site_service.site_id,
            agency_id=site_service.service.agency_id,
            data={"about": str(site_service)},
        )
    for number, site in enumerate((city.site_s, city.site_t), start=1):
        f.CounterFactory(site=site, number=number, name=f"Loket {site.name}")
    return World(city=city, rules=rules, slots=slots, bookings=bookings)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client
