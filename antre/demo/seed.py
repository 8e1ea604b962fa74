"""Writing the demo city (``antre.demo.data``) into the database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from antre.accounts import nik as nik_module
from antre.accounts.models import Role, StaffRole, User
from antre.booking.models import Slot
from antre.booking.schedule import SlotChanges, materialise_all_slots
from antre.catalog.models import (
    Agency,
    Counter,
    OpeningHours,
    ScheduleRule,
    Service,
    Site,
    SiteService,
)
from antre.catalog.services import import_national_holidays
from antre.core import clock
from antre.demo import data
from antre.demo.history import seed_history
from antre.demo.story import seed_founding_story

# Printed on the console by `make run`: a demo password, not a secret.
DEMO_PASSWORD: Final = "antre-demo"  # noqa: S105
DEMO_TIMEZONE: Final = "Asia/Jakarta"

CITIZEN_ROLE: Final = "citizen"
# The order and the words in which logins are printed (a console for the
# developer or trainer who starts the demo, not a page for citizens).
ROLE_LABELS: Final = {
    Role.CITY_ADMIN.value: "city admin",
    Role.SITE_ADMIN.value: "site admin",
    Role.AGENCY_ADMIN.value: "agency admin",
    Role.OFFICER.value: "officer",
    Role.KIOSK.value: "kiosk",
    Role.BOARD.value: "board",
    CITIZEN_ROLE: "citizen",
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    note: str = ""


@dataclass
class DemoSummary:
    """What a seed run left in the database, and what it had to write to get there.

    ``created`` and ``updated`` count catalog and account rows (and counter
    service sets, opening hours of a site) this run added or changed; both are
    zero when the demo city was already complete. ``slots`` is what slot
    materialisation changed."""

    sites: int
    agencies: int
    services: int
    site_services: int
    counters: int
    schedule_rules: int
    accounts: int
    created: int
    updated: int
    holidays_imported: int
    slots: SlotChanges
    open_slots: int
    logins: tuple[DemoLogin, ...] = ()

    @property
    def changed_anything(self) -> bool:
        slots = self.slots
        return bool(
            self.created
            or self.updated
            or self.holidays_imported
            or slots.created
            or slots.updated
            or slots.closed
            or slots.deleted
        )

    def logins_by_role(self) -> dict[str, list[str]]:
        return group_logins(self.logins)


class _Writer:
    """Writes rows only where they differ from the data, and counts what it wrote,
    so that a second run is a series of reads."""

    def __init__(self, password: str) -> None:
        self.created = 0
        self.updated = 0
        self._password = password
        self._password_hash: str | None = None

    def password_hash(self) -> str:
        # One hash for every demo account: Argon2 costs tens of milliseconds a
        # call, and these accounts share a password printed on the console, so
        # distinct salts would protect nothing.
        if self._password_hash is None:
            self._password_hash = make_password(self._password)
        return self._password_hash

    def sync[ModelT: models.Model](self, instance: ModelT, values: Mapping[str, object]) -> ModelT:
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        if changed:
            for name in changed:
                setattr(instance, name, values[name])
            instance.save(update_fields=changed)
            self.updated += 1
        return instance

    def upsert[ModelT: models.Model](
        self,
        model: type[ModelT],
        lookup: Mapping[str, object],
        values: Mapping[str, object],
        *,
        on_create: Callable[[], Mapping[str, object]] | None = None,
    ) -> ModelT:
        """The row matching ``lookup``, made with ``values`` (and what
        ``on_create`` returns, which an existing row keeps as it is) or brought
        in line with them."""
        instance = model._default_manager.filter(**lookup).first()
        if instance is None:
            instance = model(**lookup, **values, **(on_create() if on_create else {}))
            instance.save()
            self.created += 1
            return instance
        return self.sync(instance, values)


def seed_demo_city(*, password: str = DEMO_PASSWORD, history: bool = True) -> DemoSummary:
    """Make the database hold the demo city, in one transaction, then import
    the national holidays of this year and the next (by the clock in Jakarta)
    and materialise the slots of every site service.

    Idempotent: rows are matched by slug, username, (site, service) and
    (site, counter number), and only what differs from the data is written, so
    a second run creates and changes nothing. ``password`` is given to
    accounts this run creates; existing accounts keep theirs. ``history``
    also plays out the past three weeks at the sites (``antre.demo.history``;
    idempotent too), which tests that need no history skip. Edits an admin
    made to demo rows are overwritten with the data; rows the data does not
    mention are left alone.
    """
    writer = _Writer(password)
    with transaction.atomic():
        sites = _seed_sites(writer)
        agencies = _seed_agencies(writer)
        services = _seed_services(writer, agencies)
        site_services = _seed_offerings(writer, sites, services)
        _seed_counters(writer, sites, site_services)
        logins = _seed_accounts(writer, sites, agencies)
        today = clock.today(DEMO_TIMEZONE)
        holidays = import_national_holidays(years=[today.year, today.year + 1])
        slots = materialise_all_slots()
        if history:  # the past weeks' tickets and bookings, for the reports
            seed_history()
            # SIM renewal booked out, 50 waiting: the founding story to play.
            seed_founding_story(password=password)
        return DemoSummary(
            sites=Site.objects.count(),
            agencies=Agency.objects.count(),
            services=Service.objects.count(),
            site_services=SiteService.objects.count(),
            counters=Counter.objects.count(),
            schedule_rules=ScheduleRule.objects.count(),
            accounts=len(logins),
            created=writer.created,
            updated=writer.updated,
            holidays_imported=holidays,
            slots=slots,
            open_slots=Slot.objects.filter(is_open=True, start__gt=clock.now()).count(),
            logins=logins,
        )


def _seed_sites(writer: _Writer) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for site_data in data.SITES:
        site = writer.upsert(
            Site,
            {"slug": site_data.slug},
            {
                "name": site_data.name,
                "address": site_data.address,
                "timezone": DEMO_TIMEZONE,
                "room_capacity": site_data.room_capacity,
                "is_active": True,
            },
        )
        wanted = sorted((hours.weekday, hours.opens, hours.closes) for hours in site_data.hours)
        current = list(
            OpeningHours.objects.filter(site=site)
            .order_by("weekday", "opens", "closes")
            .values_list("weekday", "opens", "closes")
        )
        if current != wanted:
            OpeningHours.objects.filter(site=site).delete()
            OpeningHours.objects.bulk_create(
                OpeningHours(site=site, weekday=weekday, opens=opens, closes=closes)
                for weekday, opens, closes in wanted
            )
            if current:
                writer.updated += 1
            else:
                writer.created += 1
        sites[site.slug] = site
    return sites


def _seed_agencies(writer: _Writer) -> dict[str, Agency]:
    return {
        agency_data.slug: writer.upsert(
            Agency,
            {"slug": agency_data.slug},
            {"name": agency_data.name, "short_name": agency_data.short_name},
        )
        for agency_data in data.AGENCIES
    }


def _seed_services(writer: _Writer, agencies: Mapping[str, Agency]) -> dict[str, Service]:
    return {
        service_data.slug: writer.upsert(
            Service,
            {"slug": service_data.slug},
            {
                "agency_id": agencies[service_data.agency].pk,
                "name": service_data.name,
                "description": service_data.description,
                "ticket_prefix": service_data.ticket_prefix,
                "duration_minutes": service_data.duration_minutes,
                "requirements": list(service_data.requirements),
                "booking_opens_days": service_data.booking_opens_days,
                "booking_closes_minutes": service_data.booking_closes_minutes,
                "walk_in_allowed": service_data.walk_in_allowed,
                "walk_in_daily_quota": service_data.walk_in_daily_quota,
                "is_active": True,
            },
        )
        for service_data in data.SERVICES
    }


def _seed_offerings(
    writer: _Writer, sites: Mapping[str, Site], services: Mapping[str, Service]
) -> dict[tuple[str, str], SiteService]:
    site_services: dict[tuple[str, str], SiteService] = {}
    for offering in data.OFFERINGS:
        site_service = writer.upsert(
            SiteService,
            {"site_id": sites[offering.site].pk, "service_id": services[offering.service].pk},
            {
                "ticket_prefix": offering.ticket_prefix,
                "walk_in_daily_quota": offering.walk_in_daily_quota,
                "is_active": True,
            },
        )
        # Rules have no natural key: pair them with the data in time order.
        rules = list(site_service.schedule_rules.order_by("starts_at", "pk"))
        wanted = sorted(offering.rules, key=lambda rule: rule.starts_at)
        for index, rule_data in enumerate(wanted):
            values = {
                "weekdays": list(rule_data.weekdays),
                "starts_at": rule_data.starts_at,
                "ends_at": rule_data.ends_at,
                "slot_minutes": rule_data.slot_minutes,
                "capacity": rule_data.capacity,
                "valid_from": None,
                "valid_until": None,
            }
            if index < len(rules):
                writer.sync(rules[index], values)
            else:
                ScheduleRule.objects.create(site_service=site_service, **values)
                writer.created += 1
        for surplus in rules[len(wanted) :]:
            surplus.delete()
            writer.updated += 1
        site_services[(offering.site, offering.service)] = site_service
    return site_services


def _seed_counters(
    writer: _Writer,
    sites: Mapping[str, Site],
    site_services: Mapping[tuple[str, str], SiteService],
) -> None:
    for counter_data in data.COUNTERS:
        created_before = writer.created
        counter = writer.upsert(
            Counter,
            {"site_id": sites[counter_data.site].pk, "number": counter_data.number},
            {"name": counter_data.name, "is_active": True},
        )
        wanted = {site_services[(counter_data.site, slug)].pk for slug in counter_data.services}
        current = set(counter.site_services.values_list("pk", flat=True))
        if current != wanted:
            counter.site_services.set(wanted)
            if writer.created == created_before:
                writer.updated += 1


def _seed_accounts(
    writer: _Writer, sites: Mapping[str, Site], agencies: Mapping[str, Agency]
) -> tuple[DemoLogin, ...]:
    logins: list[DemoLogin] = []
    for account in data.demo_accounts():
        values: dict[str, object] = {
            "email": account.email,
            "full_name": account.full_name,
            "is_staff": account.is_staff,
            "is_superuser": account.is_superuser,
            "is_active": True,
        }
        is_citizen = account.role == CITIZEN_ROLE
        if is_citizen:
            nik = nik_module.validate(data.CITIZEN_NIK)
            values |= {
                "nik": nik,
                "nik_digest": nik_module.digest(nik),
                "nik_masked": nik_module.mask(nik),
            }

        def on_create(is_citizen: bool = is_citizen) -> dict[str, object]:
            extra: dict[str, object] = {"password": writer.password_hash()}
            if is_citizen:
                extra |= {"email_verified_at": clock.now(), "phone": data.CITIZEN_PHONE}
            return extra

        user = writer.upsert(User, {"username": account.username}, values, on_create=on_create)
        wanted_roles: set[tuple[str, int | None, int | None]] = set()
        if not is_citizen:
            wanted_roles.add(
                (
                    account.role,
                    sites[account.site].pk if account.site else None,
                    agencies[account.agency].pk if account.agency else None,
                )
            )
        _sync_roles(writer, user, wanted_roles)
        logins.append(DemoLogin(account.role, account.username, account.note))
    return tuple(logins)


def _sync_roles(
    writer: _Writer, user: User, wanted: set[tuple[str, int | None, int | None]]
) -> None:
    current = {
        (role.role, role.site_id, role.agency_id): role.pk
        for role in StaffRole.objects.filter(user=user)
    }
    surplus = [pk for key, pk in current.items() if key not in wanted]
    if surplus:
        StaffRole.objects.filter(pk__in=surplus).delete()
        writer.updated += 1
    for role, site_id, agency_id in wanted - current.keys():
        StaffRole.objects.create(user=user, role=role, site_id=site_id, agency_id=agency_id)
        writer.created += 1


def group_logins(logins: tuple[DemoLogin, ...] | list[DemoLogin]) -> dict[str, list[str]]:
    """Logins by role label (``ROLE_LABELS`` order), for printing. Officers of
    a site are numbered by counter and shown as one range,
    ``officer-<site>-1…N``, instead of one name per counter."""
    grouped: dict[str, list[str]] = {}
    officers: dict[str, list[int]] = {}
    for login in logins:
        if login.role == Role.OFFICER:
            prefix, _dash, number = login.username.rpartition("-")
            officers.setdefault(prefix, []).append(int(number))
            continue
        grouped.setdefault(login.role, []).append(login.username)
    for prefix, numbers in officers.items():
        numbers.sort()
        if numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 1:
            label = f"{prefix}-1…{numbers[-1]}"
        else:
            label = ", ".join(f"{prefix}-{number}" for number in numbers)
        grouped.setdefault(Role.OFFICER.value, []).append(label)
    return {ROLE_LABELS[role]: grouped[role] for role in ROLE_LABELS if role in grouped}


def demo_logins() -> dict[str, list[str]]:
    """The demo logins that exist in the database, grouped as ``group_logins``
    does; empty when the demo city was never seeded. One query."""
    accounts = data.demo_accounts()
    present = set(
        User.objects.filter(username__in=[account.username for account in accounts]).values_list(
            "username", flat=True
        )
    )
    return group_logins(
        [
            DemoLogin(account.role, account.username, account.note)
            for account in accounts
            if account.username in present
        ]
    )


def describe(summary: DemoSummary, *, password: str = DEMO_PASSWORD) -> list[str]:
    """Console lines for a seed run: what the city holds and the demo logins."""
    slots = summary.slots
    lines = [
        f"Demo city: {summary.sites} sites, {summary.agencies} agencies, "
        f"{summary.services} services ({summary.site_services} offered at sites), "
        f"{summary.counters} counters, {summary.accounts} demo accounts.",
        f"This run: {summary.created} rows created, {summary.updated} changed, "
        f"{summary.holidays_imported} holiday closures imported, "
        f"{slots.created} slots created, {slots.updated} updated, "
        f"{slots.closed} closed, {slots.deleted} deleted; {summary.open_slots} open slots ahead.",
        f"Demo logins (password: {password} unless the account existed before):",
    ]
    lines += [
        f"  {role:<14} {', '.join(names)}" for role, names in summary.logins_by_role().items()
    ]
    return lines
