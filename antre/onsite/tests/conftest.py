import datetime as dt
from dataclasses import dataclass

import pytest

from antre.booking.models import Slot
from antre.catalog.models import Counter, Service, Site, SiteService
from antre.testing import factories as f


@dataclass
class Hall:
    site: Site
    service_a: Service
    service_b: Service
    site_service_a: SiteService
    site_service_b: SiteService
    counter_1: Counter
    counter_2: Counter
    officer: object

    def booking(self, start: str, service: Service | None = None, **kwargs):
        service = service or self.service_a
        site_service = self.site_service_a if service == self.service_a else self.site_service_b
        when = dt.datetime.fromisoformat(start)
        slot = Slot.objects.filter(site_service=site_service, start=when).first() or f.SlotFactory(
            site_service=site_service, start=when, end=when + dt.timedelta(minutes=30), capacity=50
        )
        return f.BookingFactory(slot=slot, status="confirmed", **kwargs)


@pytest.fixture
def hall(db) -> Hall:
    site = f.SiteFactory(slug="mpp", name="MPP", room_capacity=3)
    service_a = f.ServiceFactory(slug="ktp", ticket_prefix="A", walk_in_daily_quota=5)
    service_b = f.ServiceFactory(slug="skck", ticket_prefix="B", walk_in_daily_quota=5)
    site_service_a = f.SiteServiceFactory(site=site, service=service_a)
    site_service_b = f.SiteServiceFactory(site=site, service=service_b)
    counter_1 = f.CounterFactory(site=site, number=1)
    counter_1.site_services.set([site_service_a])
    counter_2 = f.CounterFactory(site=site, number=2)
    counter_2.site_services.set([site_service_a, site_service_b])
    officer = f.StaffFactory(username="petugas")
    return Hall(
        site, service_a, service_b, site_service_a, site_service_b, counter_1, counter_2, officer
    )
