"""The seeded demo city: what it holds, that it is whole, and that seeding
again changes nothing.

Seeding materialises some 26,000 slots, so the city is seeded once for the
module inside a transaction that is rolled back at the end; each test runs in
a savepoint within it."""

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.db.models import Max, Q

from antre.accounts import nik
from antre.accounts.models import Role, StaffRole, User
from antre.booking.models import Slot
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
from antre.demo import data
from antre.demo.seed import DEMO_PASSWORD, DemoSummary, demo_logins, seed_demo_city

pytestmark = pytest.mark.django_db

# The instant of conftest.DEFAULT_NOW: the module fixture runs before the
# per-test frozen clock does.
SEEDED_AT = "2026-06-02T09:05:00+07:00"
JAKARTA = dt.timezone(dt.timedelta(hours=7))


@dataclass
class SeededCity:
    summary: DemoSummary
    seconds: float


@pytest.fixture(scope="module")
def demo_city(django_db_setup: None, django_db_blocker) -> Iterator[SeededCity]:
    with django_db_blocker.unblock(), clock.freeze(SEEDED_AT), transaction.atomic():
        started = time.perf_counter()
        summary = seed_demo_city()
        seconds = time.perf_counter() - started
        print(f"\nseed_demo_city: {seconds:.2f} s, {summary.slots.created} slots")
        yield SeededCity(summary, seconds)
        transaction.set_rollback(True)


def local_day_slots(day: dt.date) -> Q:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=JAKARTA)
    return Q(start__gte=start, start__lt=start + dt.timedelta(days=1))


def snapshot() -> dict[str, object]:
    models = [
        Site,
        Agency,
        Service,
        SiteService,
        Counter,
        OpeningHours,
        ScheduleRule,
        Closure,
        User,
        StaffRole,
        Slot,
    ]
    counts: dict[str, object] = {model.__name__: model.objects.count() for model in models}
    for model in (Site, Agency, Service, SiteService, Counter, ScheduleRule):
        counts[f"{model.__name__} last change"] = model.objects.aggregate(Max("updated_at"))
    counts["Counter services"] = Counter.site_services.through.objects.count()
    counts["Slot capacity"] = list(Slot.objects.order_by("pk").values_list("pk", "capacity"))
    return counts


def test_the_city_has_its_sites_agencies_and_services(demo_city):
    assert Site.objects.count() >= 5
    assert Agency.objects.count() >= 22
    assert Service.objects.count() >= 40
    assert set(Site.objects.values_list("timezone", flat=True)) == {"Asia/Jakarta"}
    mpp = Site.objects.get(slug=data.MPP)
    assert mpp.name == "MPP Kota Bekasi"
    assert "Bekasi Trade Center" in mpp.address
    assert "Joyo Martono" in mpp.address
    assert set(Site.objects.values_list("name", flat=True)) >= {
        "Kantor DPMPTSP Kota Bekasi",
        "Gerai Atrium Pondok Gede",
        "Gerai Plasa Cibubur",
        "Kantor Kecamatan Bekasi Timur",
    }
    assert Service.objects.filter(slug="perpanjangan-sim", agency__slug="polres").exists()
    summary = demo_city.summary
    assert (summary.sites, summary.agencies, summary.services) == (
        Site.objects.count(),
        Agency.objects.count(),
        Service.objects.count(),
    )


def test_ticket_prefixes_are_distinct_at_every_site(demo_city):
    for site in Site.objects.all():
        site_services = site.site_services.select_related("service")
        prefixes = [site_service.effective_ticket_prefix for site_service in site_services]
        assert len(prefixes) == len(set(prefixes)), site
        for site_service in site_services:
            site_service.clean()  # the model's own rule agrees


def test_every_site_service_has_a_counter_and_schedule_rules(demo_city):
    assert not SiteService.objects.filter(counters__isnull=True).exists()
    assert not SiteService.objects.filter(schedule_rules__isnull=True).exists()
    for counter in Counter.objects.prefetch_related("site_services"):
        assert {ss.site_id for ss in counter.site_services.all()} == {counter.site_id}
    for rule in ScheduleRule.objects.all():
        assert 15 <= rule.slot_minutes <= 30
        assert 2 <= rule.capacity <= 20
        rule.full_clean()


def test_sim_renewal_is_in_demand_with_few_seats(demo_city):
    sim = SiteService.objects.filter(service__slug="perpanjangan-sim")
    assert sim.count() >= 3
    assert not ScheduleRule.objects.filter(site_service__in=sim, capacity__gt=3).exists()
    # Bookable three and a half weeks ahead: the founding story fills 6-29 June.
    last = Slot.objects.filter(site_service__in=sim).aggregate(Max("start"))["start__max"]
    assert last.astimezone(JAKARTA).date() >= dt.date(2026, 6, 29)


def test_staff_accounts_hold_their_roles(demo_city):
    def roles(username: str) -> set[tuple[str, str | None, str | None]]:
        user = User.objects.get(username=username)
        return {
            (
                role.role,
                role.site.slug if role.site else None,
                role.agency.slug if role.agency else None,
            )
            for role in user.roles.select_related("site", "agency")
        }

    admin = User.objects.get(username="admin")
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.check_password(DEMO_PASSWORD)
    assert roles("admin") == {(Role.CITY_ADMIN, None, None)}
    for site in Site.objects.all():
        assert roles(f"admin-{site.slug}") == {(Role.SITE_ADMIN, site.slug, None)}
        assert roles(f"kiosk-{site.slug}") == {(Role.KIOSK, site.slug, None)}
        assert roles(f"board-{site.slug}") == {(Role.BOARD, site.slug, None)}
        assert User.objects.get(username=f"admin-{site.slug}").is_staff
        assert not User.objects.get(username=f"kiosk-{site.slug}").is_staff
        assert not User.objects.get(username=f"board-{site.slug}").is_staff
        for counter in site.counters.all():
            officer = User.objects.get(username=f"officer-{site.slug}-{counter.number}")
            assert not officer.is_staff
            [(role, role_site, _agency)] = roles(officer.username)
            assert (role, role_site) == (Role.OFFICER, site.slug)
    for agency in ("disdukcapil", "polres"):
        user = User.objects.get(username=f"admin-{agency}")
        assert user.is_staff
        assert not user.is_superuser
        assert roles(user.username) == {(Role.AGENCY_ADMIN, None, agency)}


def test_officers_at_an_agency_desk_see_only_that_agency(demo_city):
    sim_desk = Counter.objects.get(site__slug=data.MPP, name="SIM")
    officer = User.objects.get(username=f"officer-{data.MPP}-{sim_desk.number}")
    assert officer.roles.get().agency.slug == "polres"
    shared = Counter.objects.get(site__slug=data.KECAMATAN, name="Sosial dan PBB")
    officer = User.objects.get(username=f"officer-{data.KECAMATAN}-{shared.number}")
    assert officer.roles.get().agency is None


def test_the_demo_citizen_is_verified_with_a_valid_nik(demo_city):
    citizen = User.objects.get(username="warga@antre.test")
    assert citizen.email == "warga@antre.test"
    assert citizen.full_name
    assert citizen.is_citizen
    assert citizen.email_verified
    assert nik.validate(citizen.nik) == citizen.nik
    assert citizen.nik_digest == nik.digest(citizen.nik)
    assert citizen.nik_masked == nik.mask(citizen.nik)
    assert not citizen.is_staff
    assert not citizen.roles.exists()
    assert citizen.check_password(DEMO_PASSWORD)


def test_slots_exist_on_working_days_only(demo_city):
    ktp_at_mpp = Slot.objects.filter(
        site_service__site__slug=data.MPP, site_service__service__slug="perekaman-ktp-el"
    )
    wednesday = ktp_at_mpp.filter(local_day_slots(dt.date(2026, 6, 3)))
    starts = sorted(slot.start.astimezone(JAKARTA).time() for slot in wednesday)
    assert starts[0] == dt.time(9)
    assert starts[-1] == dt.time(14, 30)
    assert all(slot.capacity == 8 and slot.is_open for slot in wednesday)
    # Today: only slots that have not begun (the clock says 09:05).
    today = ktp_at_mpp.filter(local_day_slots(dt.date(2026, 6, 2)))
    assert min(slot.start.astimezone(JAKARTA).time() for slot in today) == dt.time(9, 30)
    for weekend_day in (dt.date(2026, 6, 6), dt.date(2026, 6, 7)):
        assert not Slot.objects.filter(local_day_slots(weekend_day)).exists()


def test_no_slots_on_national_holidays(demo_city):
    # 16 June 2026, a Tuesday: Tahun Baru Islam 1448 H.
    assert Closure.objects.filter(start_date=dt.date(2026, 6, 16), site__isnull=True).exists()
    assert not Slot.objects.filter(local_day_slots(dt.date(2026, 6, 16))).exists()
    assert Slot.objects.filter(local_day_slots(dt.date(2026, 6, 17))).exists()
    # 17 August 2026, a Monday: Independence Day; only the haji registration
    # books that far ahead.
    haji = Slot.objects.filter(site_service__service__slug="pendaftaran-haji")
    assert not Slot.objects.filter(local_day_slots(dt.date(2026, 8, 17))).exists()
    assert haji.filter(local_day_slots(dt.date(2026, 8, 18))).exists()
    assert haji.filter(local_day_slots(dt.date(2026, 8, 10))).exists()


def test_holidays_of_this_year_and_the_next_are_imported(demo_city):
    nationwide = Closure.objects.filter(site__isnull=True, service__isnull=True)
    assert nationwide.filter(start_date__year=2026).count() == 25
    assert nationwide.filter(start_date__year=2027).exists()
    assert (
        nationwide.get(
            start_date=dt.date(2026, 8, 17), source=Closure.Source.NATIONAL_HOLIDAY
        ).reason
        == "Hari Kemerdekaan Republik Indonesia"
    )


def test_offices_close_for_friday_prayers(demo_city):
    friday = Slot.objects.filter(
        local_day_slots(dt.date(2026, 6, 5)), site_service__site__slug=data.DPMPTSP_OFFICE
    )
    times = {slot.start.astimezone(JAKARTA).time() for slot in friday}
    assert dt.time(8) in times
    assert dt.time(13) in times
    assert not times & {dt.time(11, 30), dt.time(12), dt.time(12, 30)}


def test_seeding_twice_creates_nothing_new(demo_city):
    before = snapshot()

    summary = seed_demo_city()

    assert snapshot() == before
    assert (summary.created, summary.updated, summary.holidays_imported) == (0, 0, 0)
    assert not summary.changed_anything
    assert summary.logins == demo_city.summary.logins


def test_seeding_again_repairs_what_was_changed(demo_city):
    rule = ScheduleRule.objects.get(
        site_service__site__slug=data.MPP,
        site_service__service__slug="perpanjangan-skck",
    )
    ScheduleRule.objects.filter(pk=rule.pk).update(capacity=19)
    Service.objects.filter(slug="skck-baru").update(name="SKCK")

    summary = seed_demo_city()

    rule.refresh_from_db()
    assert rule.capacity == 4
    assert Service.objects.get(slug="skck-baru").name == "Penerbitan SKCK Baru"
    assert (summary.created, summary.updated) == (0, 2)


def test_the_summary_lists_every_login(demo_city):
    usernames = {login.username for login in demo_city.summary.logins}
    assert usernames == {account.username for account in data.demo_accounts()}
    assert demo_city.summary.accounts == len(usernames)
    assert demo_city.summary.open_slots > 10_000
    assert demo_city.summary.slots.created == demo_city.summary.open_slots


def test_demo_logins_show_officers_as_ranges(demo_city):
    logins = demo_logins()

    assert list(logins) == [
        "city admin",
        "site admin",
        "agency admin",
        "officer",
        "kiosk",
        "board",
        "citizen",
    ]
    assert logins["city admin"] == ["admin"]
    assert logins["citizen"] == ["warga@antre.test"]
    officers_at_mpp = Counter.objects.filter(site__slug=data.MPP).count()
    assert f"officer-{data.MPP}-1…{officers_at_mpp}" in logins["officer"]


def test_the_founding_story_plays_out(demo_city):
    """The waiting-list issue's "Done when", on the seeded demo city."""
    from antre.accounts.scopes import scope_for
    from antre.booking.models import Booking
    from antre.booking.services import cancel_booking
    from antre.reports.selectors import ReportFilter, deadline_miss_forecast
    from antre.waitlist.models import Offer, WaitlistEntry, WaitlistStatus
    from antre.waitlist.selectors import standing
    from antre.waitlist.services import join_waitlist, offer_free_seats

    sim = SiteService.objects.select_related("site", "service").get(
        site__slug=data.MPP, service__slug="perpanjangan-sim"
    )
    today = dt.date(2026, 6, 2)
    three_weeks = Slot.objects.filter(
        site_service=sim,
        is_open=True,
        start__gte=dt.datetime(2026, 6, 2, 10, tzinfo=JAKARTA),
        start__lt=dt.datetime(2026, 6, 24, tzinfo=JAKARTA),
    )
    assert three_weeks.count() > 100
    assert all(slot.booked + slot.held >= slot.capacity for slot in three_weeks)
    waiting = WaitlistEntry.objects.filter(service=sim.service, status=WaitlistStatus.WAITING)
    assert waiting.count() == 50
    assert min(waiting.values_list("latest", flat=True)) > today + dt.timedelta(days=5)
    city_admin = User.objects.get(username="admin")
    week = ReportFilter(start=today, end=today)

    def misses() -> int:
        rows = deadline_miss_forecast(scope_for(city_admin), week)
        return next(row.will_miss for row in rows if row.service == sim.service)

    before = misses()
    assert before > 0

    # A citizen whose SIM expires in five days joins after the 50.
    player = User.objects.get(username=data.CITIZEN_EMAIL)
    entry = join_waitlist(
        citizen=player,
        service=sim.service,
        sites=[sim.site],
        earliest=today,
        latest=today + dt.timedelta(days=5),
    )
    assert standing(entry).position == 1

    # A seat frees up: it is the player's before anyone else's.
    booking = (
        Booking.objects.filter(
            service=sim.service,
            slot__site_service=sim,
            slot__start__gte=dt.datetime(2026, 6, 4, tzinfo=JAKARTA),
        )
        .select_related("citizen")
        .order_by("slot__start")
        .first()
    )
    cancel_booking(booking=booking, actor=booking.citizen)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    assert Offer.objects.get(entry=entry).slot_id == booking.slot_id

    # The admin adds seats on the days the urgent ones need: the forecast falls.
    urgent_days = three_weeks.filter(
        start__gte=dt.datetime(2026, 6, 5, tzinfo=JAKARTA),
        start__lt=dt.datetime(2026, 6, 12, tzinfo=JAKARTA),
    )
    for slot in urgent_days[:6]:
        Slot.objects.filter(pk=slot.pk).update(capacity=slot.capacity + 2)
        offer_free_seats(slot_id=slot.pk)
    assert misses() < before
