"""factory_boy factories for the domain model. Valid by default: a NIK that
passes ``antre.accounts.nik.validate``, a site with Monday-Friday hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from antre.accounts import nik as nik_module
from antre.accounts.models import ApiToken, Role, StaffRole, User
from antre.booking.models import Booking, Slot
from antre.catalog.models import (
    Agency,
    Closure,
    Counter,
    OpeningHours,
    ScheduleRule,
    Service,
    Site,
    SiteService,
)
from antre.core import clock
from antre.core.codes import new_code


def make_nik(serial: int, *, female: bool = False) -> str:
    """A valid NIK: Kota Bekasi (32 75), kecamatan 01, born on the 1st of a
    month of 1990, then a serial; distinct for 119,988 consecutive serials
    (a session's factories go past 9,999, and a wrap inside one test would
    give two citizens one NIK)."""
    index = (serial - 1) % (9999 * 12)
    day = 41 if female else 1
    month = index // 9999 + 1
    return f"327501{day:02d}{month:02d}90{index % 9999 + 1:04d}"


class SiteFactory(DjangoModelFactory[Site]):
    class Meta:
        model = Site
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"gerai-{n}")
    name = factory.Sequence(lambda n: f"Gerai {n}")
    address = "Jl. Jend. Ahmad Yani No. 1, Bekasi"
    timezone = "Asia/Jakarta"
    room_capacity = 30

    @factory.post_generation
    def weekday_hours(obj: Site, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if not create or extracted is False:
            return
        for weekday in range(5):
            OpeningHours.objects.create(
                site=obj, weekday=weekday, opens=dt.time(8, 0), closes=dt.time(15, 0)
            )


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"instansi-{n}")
    name = factory.Sequence(lambda n: f"Instansi {n}")
    short_name = factory.Sequence(lambda n: f"Inst{n}")


class ServiceFactory(DjangoModelFactory[Service]):
    class Meta:
        model = Service
        django_get_or_create = ("slug",)

    agency = factory.SubFactory(AgencyFactory)
    slug = factory.Sequence(lambda n: f"layanan-{n}")
    name = factory.Sequence(lambda n: f"Layanan {n}")
    ticket_prefix = factory.Sequence(lambda n: "ABCDEFGHJKMNPQRSTUVWXYZ"[n % 23])
    duration_minutes = 15
    requirements = factory.LazyFunction(lambda: ["KTP-el asli", "Fotokopi KK"])
    booking_opens_days = 30
    booking_closes_minutes = 60


class SiteServiceFactory(DjangoModelFactory[SiteService]):
    class Meta:
        model = SiteService

    site = factory.SubFactory(SiteFactory)
    service = factory.SubFactory(ServiceFactory)


class ScheduleRuleFactory(DjangoModelFactory[ScheduleRule]):
    class Meta:
        model = ScheduleRule

    site_service = factory.SubFactory(SiteServiceFactory)
    weekdays = factory.LazyFunction(lambda: [0, 1, 2, 3, 4])
    starts_at = dt.time(9, 0)
    ends_at = dt.time(15, 0)
    slot_minutes = 30
    capacity = 10


class CounterFactory(DjangoModelFactory[Counter]):
    class Meta:
        model = Counter

    site = factory.SubFactory(SiteFactory)
    number = factory.Sequence(lambda n: n + 1)


class ClosureFactory(DjangoModelFactory[Closure]):
    class Meta:
        model = Closure

    site = factory.SubFactory(SiteFactory)
    start_date = dt.date(2026, 6, 1)
    end_date = factory.SelfAttribute("start_date")
    reason = "Penutupan"


class SlotFactory(DjangoModelFactory[Slot]):
    class Meta:
        model = Slot

    site_service = factory.SubFactory(SiteServiceFactory)
    start = factory.LazyFunction(lambda: clock.now() + dt.timedelta(days=2))
    end = factory.LazyAttribute(lambda slot: slot.start + dt.timedelta(minutes=30))
    capacity = 10
    booked = 0


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="id_ID")
    password = factory.PostGenerationMethodCall("set_password", "rahasia-Kuat-123")

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class CitizenFactory(UserFactory):
    username = factory.Sequence(lambda n: f"warga{n}@example.test")
    email = factory.SelfAttribute("username")  # type: ignore[assignment]
    nik = factory.Sequence(lambda n: make_nik(n + 1))
    nik_digest = factory.LazyAttribute(lambda user: nik_module.digest(user.nik))
    nik_masked = factory.LazyAttribute(lambda user: nik_module.mask(user.nik))
    phone = "+6281234567890"
    email_verified_at = factory.LazyFunction(clock.now)


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def role(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create and extracted:
            StaffRole.objects.create(user=obj, role=extracted, **kwargs)


class BookingFactory(DjangoModelFactory[Booking]):
    class Meta:
        model = Booking

    code = factory.LazyFunction(new_code)
    citizen = factory.SubFactory(CitizenFactory)
    slot = factory.SubFactory(SlotFactory)
    site = factory.LazyAttribute(lambda booking: booking.slot.site_service.site)
    service = factory.LazyAttribute(lambda booking: booking.slot.site_service.service)


class ApiTokenFactory(DjangoModelFactory[ApiToken]):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)


__all__ = [
    "AgencyFactory",
    "ApiTokenFactory",
    "BookingFactory",
    "CitizenFactory",
    "ClosureFactory",
    "CounterFactory",
    "Role",
    "ScheduleRuleFactory",
    "ServiceFactory",
    "SiteFactory",
    "SiteServiceFactory",
    "SlotFactory",
    "StaffFactory",
    "UserFactory",
    "make_nik",
]
