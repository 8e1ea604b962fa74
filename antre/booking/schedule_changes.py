"""Changing a site service's schedule without losing a booking silently.

An admin's change (a rule added, edited or deleted, a one-off session, one
day's seats, a closure) is first turned into a *plan*: the slots it adds,
removes and resizes over the booking horizon, and the bookings it would
strand (their slot goes, or the slot keeps fewer seats than it has
bookings). The plan is shown; applying it is one transaction that

1. locks the site row (changes at one site queue up; a change applied twice
   with the same ``change_key`` does nothing the second time),
2. writes the catalog change and recomputes the plan, refusing with
   ``StalePlan`` when it is no longer the one the admin saw (someone booked
   meanwhile) and with ``ConfirmationRequired`` when bookings would be
   stranded without the admin's confirmation,
3. cancels each stranded booking (reason ``schedule_change``), freeing its
   seat, withdraws open waiting-list offers on slots that go, regenerates the
   slots (``materialise_slots``), closing the slots that go rather than
   deleting them (a booking queued on one of their row locks then finds it
   closed; the next hourly run deletes the empty ones),
4. optionally puts each stranded citizen on the waiting list of the same
   service and site with their original day as the deadline, and offers the
   seats the change adds to the waiting list before the public sees them,
5. queues an apologetic bilingual e-mail to each stranded citizen and
   records the change in the audit log.

This lives in ``booking`` rather than ``catalog`` because it is about slots
and bookings: the catalog knows nothing of either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from antre.accounts.models import User
from antre.accounts.scopes import StaffScope
from antre.booking import services as booking_services
from antre.booking.models import Booking, BookingStatus, CancelReason, Slot
from antre.booking.schedule import (
    SlotChanges,
    WantedSlot,
    desired_slots,
    horizon,
    materialise_slots,
)
from antre.catalog.models import Closure, DayCapacity, ScheduleRule, Site, SiteService
from antre.core import clock
from antre.core.audit import record_event
from antre.core.errors import Conflict, DomainError, InvalidInput, NotFound
from antre.core.models import AuditEvent
from antre.notifications.emails import describe_when
from antre.notifications.rendering import in_languages, render_email
from antre.notifications.services import queue_message

CANCEL_REASON = CancelReason.SCHEDULE_CHANGE
APPLIED_ACTION = "schedule.change_applied"


class RuleNotFound(NotFound):
    code = "schedule_rule_not_found"
    title = _("Aturan jadwal tidak ditemukan")
    default_detail = _("Aturan jadwal ini tidak ada (lagi) pada layanan gerai ini.")


class InvalidScheduleChange(InvalidInput):
    code = "invalid_schedule_change"
    title = _("Perubahan jadwal tidak valid")


class StalePlan(Conflict):
    """The plan changed between preview and apply; ``plan`` is the new one."""

    code = "schedule_plan_stale"
    title = _("Rencana perubahan sudah berubah")
    default_detail = _(
        "Keadaan slot berubah sejak pratinjau (mis. ada warga yang baru memesan). "
        "Periksa rencana terbaru lalu terapkan lagi."
    )

    def __init__(self, plan: SchedulePlan) -> None:
        super().__init__()
        self.plan = plan


class ConfirmationRequired(Conflict):
    code = "schedule_confirmation_required"
    title = _("Perlu konfirmasi")
    default_detail = _(
        "Perubahan ini membatalkan pemesanan warga. Centang konfirmasi dan pastikan "
        "alasan untuk warga terisi; alasan itu dikirim kepada mereka."
    )


# ---------------------------------------------------------------- the changes


@dataclass(frozen=True)
class RuleChange:
    """Add a schedule rule (``rule_id`` None) or replace one's values."""

    rule_id: int | None
    weekdays: tuple[int, ...]
    starts_at: dt.time
    ends_at: dt.time
    slot_minutes: int
    capacity: int
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class RuleDeletion:
    rule_id: int


@dataclass(frozen=True)
class ExtraSession:
    """A one-off session on one day, allowed outside the opening hours (a
    Saturday, an early 06:30 opening): a rule valid on that day only."""

    day: dt.date
    starts_at: dt.time
    ends_at: dt.time
    slot_minutes: int
    capacity: int


@dataclass(frozen=True)
class CapacityChange:
    """The seats of every slot of ``day`` (``starts_at`` None) or of one slot."""

    day: dt.date
    starts_at: dt.time | None
    capacity: int


@dataclass(frozen=True)
class DayClosure:
    """Close the service (or, with ``whole_site``, every service of the site)
    from ``start_date`` to ``end_date`` inclusive."""

    start_date: dt.date
    end_date: dt.date
    reason: str
    whole_site: bool = False


ScheduleChange = RuleChange | RuleDeletion | ExtraSession | CapacityChange | DayClosure


def may_change(scope: StaffScope, site_service: SiteService, change: ScheduleChange) -> bool:
    """Whether ``scope`` may make ``change``: a city admin anything; the site's
    admin anything at the site; an agency admin (of every site or of this one)
    the schedule of their own service, but not a whole-site closure."""
    agency_id = site_service.service.agency_id
    if isinstance(change, DayClosure) and change.whole_site:
        return scope.covers(site_id=site_service.site_id, agency_id=None)
    return scope.covers(site_id=site_service.site_id, agency_id=agency_id)


def may_manage(scope: StaffScope, site_service: SiteService) -> bool:
    return scope.covers(site_id=site_service.site_id, agency_id=site_service.service.agency_id)


def describe_change(change: ScheduleChange) -> dict[str, Any]:
    """The change as JSON-safe data, for the audit log and the fingerprint."""
    data: dict[str, Any] = {"kind": type(change).__name__}
    for name, value in vars(change).items():
        if isinstance(value, dt.date | dt.time):
            data[name] = value.isoformat()
        elif isinstance(value, tuple):
            data[name] = list(value)
        else:
            data[name] = value
    return data


def _clean(instance: ScheduleRule | DayCapacity | Closure, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise InvalidScheduleChange("; ".join(error.messages)) from None


def _rule(site_service: SiteService, rule_id: int) -> ScheduleRule:
    rule = ScheduleRule.objects.filter(pk=rule_id, site_service=site_service).first()
    if rule is None:
        raise RuleNotFound()
    return rule


def _write(change: ScheduleChange, site_service: SiteService) -> list[SiteService]:
    """Write the catalog change; return every site service whose slots it may move."""
    if isinstance(change, RuleChange):
        rule = (
            _rule(site_service, change.rule_id)
            if change.rule_id is not None
            else ScheduleRule(site_service=site_service)
        )
        rule.weekdays = sorted(set(change.weekdays))
        rule.starts_at = change.starts_at
        rule.ends_at = change.ends_at
        rule.slot_minutes = change.slot_minutes
        rule.capacity = change.capacity
        rule.valid_from = change.valid_from
        rule.valid_until = change.valid_until
        _check_range(change.starts_at, change.ends_at, change.valid_from, change.valid_until)
        _clean(rule)
        rule.save()
    elif isinstance(change, RuleDeletion):
        _rule(site_service, change.rule_id).delete()
    elif isinstance(change, ExtraSession):
        _check_range(change.starts_at, change.ends_at, None, None)
        rule = ScheduleRule(
            site_service=site_service,
            weekdays=[change.day.weekday()],
            starts_at=change.starts_at,
            ends_at=change.ends_at,
            slot_minutes=change.slot_minutes,
            capacity=change.capacity,
            valid_from=change.day,
            valid_until=change.day,
            outside_hours=True,
        )
        _clean(rule)
        rule.save()
    elif isinstance(change, CapacityChange):
        row = DayCapacity.objects.filter(
            site_service=site_service, date=change.day, starts_at=change.starts_at
        ).first() or DayCapacity(
            site_service=site_service, date=change.day, starts_at=change.starts_at
        )
        row.capacity = change.capacity
        _clean(row, exclude=["site_service"])
        row.save()
    else:
        if change.start_date > change.end_date:
            raise InvalidScheduleChange(_("Tanggal mulai harus sebelum tanggal selesai."))
        closure = Closure(
            site=site_service.site,
            service=None if change.whole_site else site_service.service,
            start_date=change.start_date,
            end_date=change.end_date,
            reason=change.reason.strip(),
            source=Closure.Source.LOCAL,
        )
        _clean(closure)
        closure.save()
        if change.whole_site:
            return list(
                SiteService.objects.filter(site=site_service.site)
                .select_related("site", "service__agency")
                .order_by("pk")
            )
    return [site_service]


def _check_range(
    starts_at: dt.time, ends_at: dt.time, valid_from: dt.date | None, valid_until: dt.date | None
) -> None:
    if starts_at >= ends_at:
        raise InvalidScheduleChange(_("Jam mulai harus sebelum jam selesai."))
    if valid_from and valid_until and valid_from > valid_until:
        raise InvalidScheduleChange(_("'Berlaku mulai' harus sebelum 'berlaku sampai'."))


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class ExistingSlot:
    """A future slot as the plan sees it; ``confirmed`` are its confirmed
    bookings' ids, oldest first."""

    slot_id: int
    start: dt.datetime
    end: dt.datetime
    capacity: int
    booked: int
    held: int
    is_open: bool
    confirmed: tuple[int, ...] = ()
    overbook: int = 0


@dataclass(frozen=True)
class SlotDiff:
    added: list[WantedSlot] = field(default_factory=list)
    removed: list[ExistingSlot] = field(default_factory=list)
    resized: list[tuple[ExistingSlot, int]] = field(default_factory=list)
    stranded: dict[int, int] = field(default_factory=dict)
    """booking id -> slot id."""


def diff_slots(
    existing: Iterable[ExistingSlot], wanted: Mapping[dt.datetime, WantedSlot], *, now: dt.datetime
) -> SlotDiff:
    """What ``materialise_slots`` would do to the future slots, and whose
    bookings that strands. Pure.

    A slot that is wanted no more strands every confirmed booking on it; a
    slot cut below its bookings strands the most recently made ones (the
    earlier bookers keep their seat). A closed slot that is wanted again
    counts as added. Seats held by waiting-list offers are honoured: they are
    not bookings, and the cut stops at them (see ``materialise_slots``)."""
    diff = SlotDiff()
    remaining = dict(wanted)
    for slot in sorted(existing, key=lambda item: item.start):
        if slot.start <= now:
            remaining.pop(slot.start, None)
            continue
        target = remaining.pop(slot.start, None)
        if target is None:
            if slot.is_open or slot.confirmed:
                if slot.is_open:
                    diff.removed.append(slot)
                for booking_id in slot.confirmed:
                    diff.stranded[booking_id] = slot.slot_id
            continue
        if not slot.is_open:
            diff.added.append(target)
        elif target.capacity != slot.capacity:
            diff.resized.append((slot, target.capacity))
        # Seats overbooked on purpose (expected no-shows) stay overbooked.
        over = slot.booked - target.capacity - slot.overbook
        if over > 0:
            for booking_id in list(slot.confirmed)[-over:]:
                diff.stranded[booking_id] = slot.slot_id
    diff.added.extend(sorted((slot for slot in remaining.values() if slot.start > now), key=_start))
    diff.added.sort(key=_start)
    return diff


def _start(slot: WantedSlot) -> dt.datetime:
    return slot.start


@dataclass(frozen=True)
class PlanLine:
    """One slot the plan touches, as the admin reads it (local times)."""

    site_service: str
    start: dt.datetime
    end: dt.datetime
    before: int | None
    """Seats now; None for a slot the change adds."""
    after: int | None
    """Seats after; None for a slot the change removes."""
    booked: int


@dataclass(frozen=True)
class StrandedBooking:
    """A booking the change would cancel, shown to staff with the NIK masked."""

    booking_id: int
    code: str
    name: str
    nik_masked: str
    email: str
    service: str
    site: str
    start: dt.datetime
    end: dt.datetime
    why: str
    """"removed" (the slot goes) or "capacity" (the slot keeps fewer seats)."""


@dataclass(frozen=True)
class SchedulePlan:
    added: list[PlanLine]
    removed: list[PlanLine]
    resized: list[PlanLine]
    stranded: list[StrandedBooking]
    fingerprint: str
    diffs: dict[int, SlotDiff] = field(default_factory=dict, compare=False, repr=False)
    """site service id -> its diff, for applying."""

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.stranded)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.resized or self.stranded)


def _existing(site_service: SiteService, *, now: dt.datetime) -> list[ExistingSlot]:
    _start_day, end = horizon(site_service)
    tz = site_service.site.tzinfo
    range_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    slots = list(
        Slot.objects.filter(site_service=site_service, start__gt=now, start__lt=range_end).order_by(
            "start"
        )
    )
    confirmed: dict[int, list[int]] = {}
    for booking_id, slot_id in (
        Booking.objects.filter(slot__in=[slot.pk for slot in slots], status=BookingStatus.CONFIRMED)
        .order_by("created_at", "pk")
        .values_list("pk", "slot_id")
    ):
        confirmed.setdefault(slot_id, []).append(booking_id)
    return [
        ExistingSlot(
            slot_id=slot.pk,
            start=slot.start,
            end=slot.end,
            capacity=slot.capacity,
            booked=slot.booked,
            held=slot.held,
            is_open=slot.is_open,
            confirmed=tuple(confirmed.get(slot.pk, ())),
            overbook=slot.overbook,
        )
        for slot in slots
    ]


def _compute(reach: Sequence[SiteService], *, now: dt.datetime) -> SchedulePlan:
    added: list[PlanLine] = []
    removed: list[PlanLine] = []
    resized: list[PlanLine] = []
    stranded_ids: dict[int, str] = {}
    diffs: dict[int, SlotDiff] = {}
    for site_service in reach:
        start, end = horizon(site_service)
        tz = site_service.site.tzinfo
        name = str(site_service.service)
        diff = diff_slots(
            _existing(site_service, now=now), desired_slots(site_service, start, end), now=now
        )
        diffs[site_service.pk] = diff
        added += [
            PlanLine(
                name, slot.start.astimezone(tz), slot.end.astimezone(tz), None, slot.capacity, 0
            )
            for slot in diff.added
        ]
        removed += [
            PlanLine(
                name,
                slot.start.astimezone(tz),
                slot.end.astimezone(tz),
                slot.capacity,
                None,
                slot.booked,
            )
            for slot in diff.removed
        ]
        resized += [
            PlanLine(
                name,
                slot.start.astimezone(tz),
                slot.end.astimezone(tz),
                slot.capacity,
                seats,
                slot.booked,
            )
            for slot, seats in diff.resized
        ]
        removed_ids = {slot.slot_id for slot in diff.removed}
        for booking_id, slot_id in diff.stranded.items():
            stranded_ids[booking_id] = "removed" if slot_id in removed_ids else "capacity"
    bookings = (
        Booking.objects.filter(pk__in=stranded_ids)
        .select_related("citizen", "slot__site_service__site", "service")
        .order_by("slot__start", "created_at", "pk")
    )
    stranded = []
    for booking in bookings:
        site = booking.slot.site_service.site
        citizen = booking.citizen
        stranded.append(
            StrandedBooking(
                booking_id=booking.pk,
                code=booking.display_code,
                name=citizen.full_name if citizen is not None else "",
                nik_masked=citizen.nik_masked if citizen is not None else "",
                email=citizen.email if citizen is not None else "",
                service=str(booking.service),
                site=str(site),
                start=booking.slot.start.astimezone(site.tzinfo),
                end=booking.slot.end.astimezone(site.tzinfo),
                why=stranded_ids[booking.pk],
            )
        )
    fingerprint = _fingerprint(diffs)
    return SchedulePlan(added, removed, resized, stranded, fingerprint, diffs)


def _fingerprint(diffs: Mapping[int, SlotDiff]) -> str:
    """A digest of everything the admin confirms: which slots come and go,
    the seats before and after, the seats booked, and whose bookings go."""
    content = {
        str(site_service_id): {
            "added": [[slot.start.isoformat(), slot.capacity] for slot in diff.added],
            "removed": [[slot.slot_id, slot.booked, slot.held] for slot in diff.removed],
            "resized": [
                [slot.slot_id, slot.capacity, seats, slot.booked, slot.held]
                for slot, seats in diff.resized
            ],
            "stranded": sorted(diff.stranded),
        }
        for site_service_id, diff in sorted(diffs.items())
    }
    raw = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()[:32]


class _Preview(Exception):
    def __init__(self, plan: SchedulePlan) -> None:
        self.plan = plan


def plan_change(*, site_service: SiteService, change: ScheduleChange) -> SchedulePlan:
    """What ``change`` would do, without doing it: the catalog change is
    written inside a savepoint, the plan computed from it, and all of it
    rolled back. Raises InvalidScheduleChange, RuleNotFound."""
    try:
        with transaction.atomic():
            reach = _write(change, site_service)
            raise _Preview(_compute(reach, now=clock.now()))
    except _Preview as preview:
        return preview.plan


# ---------------------------------------------------------------- applying


@dataclass(frozen=True)
class AppliedChange:
    plan: SchedulePlan | None
    """None when the change had already been applied (a double submit)."""
    slots: SlotChanges = field(default_factory=SlotChanges)
    cancelled: int = 0
    waitlisted: int = 0
    offered: int = 0

    @property
    def already_applied(self) -> bool:
        return self.plan is None


def apply_change(
    *,
    site_service: SiteService,
    change: ScheduleChange,
    change_key: str,
    fingerprint: str,
    actor: User | None,
    confirmed: bool = False,
    reason: str = "",
    join_waitlist: bool = True,
) -> AppliedChange:
    """Make ``change`` as previewed (see the module docstring). ``change_key``
    names this change (one per preview form): a second call with it changes
    nothing and returns ``already_applied``. ``fingerprint`` is the previewed
    plan's; a different plan now raises StalePlan carrying it, and nothing is
    written. Stranded bookings need ``confirmed`` and a ``reason`` for the
    citizens (a closure's own reason serves), else ConfirmationRequired.

    Lock order: the site row (NO KEY UPDATE), then the slots of the site
    services touched in id order, then (inside the booking and waiting-list
    writes) single slot and booking rows; a booking request takes the citizen
    row, one slot, and KEY SHARE on the site, none of which waits for this in
    a cycle. A booking that arrives while this runs waits on its slot's row
    lock and then finds the slot closed, deleted or resized; one that landed
    first makes the plan stale."""
    if isinstance(change, DayClosure):
        reason = reason.strip() or change.reason.strip()
    reason = reason.strip()
    now = clock.now()
    with transaction.atomic():
        # NO KEY UPDATE: two changes at one site queue up here, while a
        # booking's insert (which takes KEY SHARE on its site row for the
        # foreign key) does not wait; a plain FOR UPDATE would, and deadlock
        # with a booking holding a slot this change is about to lock.
        Site.objects.select_for_update(no_key=True).filter(pk=site_service.site_id).values_list(
            "pk", flat=True
        ).get()
        if AuditEvent.objects.filter(action=APPLIED_ACTION, data__change_key=change_key).exists():
            return AppliedChange(plan=None)
        reach = _write(change, site_service)
        _lock_slots(reach, now=now)
        plan = _compute(reach, now=now)
        if plan.fingerprint != fingerprint:
            raise StalePlan(plan)
        if plan.stranded and not (confirmed and reason):
            raise ConfirmationRequired()
        done = _carry_out(
            reach, plan, actor=actor, reason=reason, join_waitlist=join_waitlist, now=now
        )
        record_event(
            action=APPLIED_ACTION,
            actor=actor,
            target=site_service,
            site_id=site_service.site_id,
            agency_id=(
                None
                if isinstance(change, DayClosure) and change.whole_site
                else site_service.service.agency_id
            ),
            data={
                "change_key": change_key,
                "change": describe_change(change),
                "reason": reason,
                "added": len(plan.added),
                "removed": len(plan.removed),
                "resized": len(plan.resized),
                "cancelled": [item.code for item in plan.stranded],
                "waitlisted": done.waitlisted,
                "offered": done.offered,
            },
        )
    return done


def _lock_slots(reach: Sequence[SiteService], *, now: dt.datetime) -> None:
    """The future slots of ``reach``, in id order: a booking racing the
    change waits on its slot's row and then sees the result."""
    list(
        Slot.objects.select_for_update()
        .filter(site_service__in=reach, start__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _carry_out(
    reach: Sequence[SiteService],
    plan: SchedulePlan,
    *,
    actor: User | None,
    reason: str,
    join_waitlist: bool,
    now: dt.datetime,
    delete_unwanted: bool = False,
) -> AppliedChange:
    """Steps 3 to 5 of the module docstring for a plan computed under the
    locks; ``delete_unwanted`` deletes the empty slots that go at once
    instead of leaving them closed for the hourly run."""
    removed_slot_ids = [slot.slot_id for diff in plan.diffs.values() for slot in diff.removed]
    # Closed before anything else, so that no seat freed below is passed
    # back to a slot that is going.
    Slot.objects.filter(pk__in=removed_slot_ids).update(is_open=False)
    for stranded in plan.stranded:
        _cancel_stranded(stranded, actor=actor, reason=reason, now=now)
    _withdraw_offers(removed_slot_ids, now=now)
    slot_changes = SlotChanges()
    for item in reach:
        slot_changes += materialise_slots(site_service=item, delete_unwanted=delete_unwanted)
    waitlisted = 0
    for stranded in plan.stranded:
        joined = join_waitlist and _join_waitlist(stranded)
        waitlisted += joined
        _notify_stranded(stranded, reason=reason, waitlisted=joined)
    offered = _offer_new_seats(reach, plan, actor=actor)
    return AppliedChange(
        plan=plan,
        slots=slot_changes,
        cancelled=len(plan.stranded),
        waitlisted=waitlisted,
        offered=offered,
    )


# ------------------------------------------- catalog edits made elsewhere


class WouldStrandBookings(Conflict):
    """A catalog edit made without a preview would strand bookings; ``plan``
    says whose. Such a change is made on the schedule page instead."""

    code = "schedule_change_strands_bookings"
    title = _("Perubahan mengenai pemesanan warga")
    default_detail = _(
        "Perubahan ini akan membatalkan pemesanan warga. Lakukan lewat halaman "
        "Jadwal layanan, yang menunjukkan siapa yang terdampak dan memberi tahu mereka."
    )

    def __init__(self, plan: SchedulePlan) -> None:
        super().__init__()
        self.plan = plan

    @property
    def site_service_ids(self) -> list[int]:
        """The site services whose bookings would be stranded."""
        return sorted(
            site_service_id for site_service_id, diff in self.plan.diffs.items() if diff.stranded
        )


def regenerate_guarded(reach: Iterable[SiteService]) -> SlotChanges:
    """Regenerate the slots of ``reach`` after a catalog edit written without
    a preview (the plain back-office forms: a rule, a closure, a site's
    opening hours, a service switched off), in that edit's transaction.

    Seats the edit adds go to the waiting list first, as on the schedule
    page; an edit that would leave a confirmed booking in a slot that goes or
    shrinks raises WouldStrandBookings and, raised inside the edit's
    transaction, undoes it: nobody's booking is dropped without the preview,
    the confirmation and the apology that ``apply_change`` gives."""
    site_services = _ordered(reach)
    now = clock.now()
    _lock_sites(site_services)
    _lock_slots(site_services, now=now)
    plan = _compute(site_services, now=now)
    if plan.stranded:
        raise WouldStrandBookings(plan)
    done = _carry_out(
        site_services,
        plan,
        actor=None,
        reason="",
        join_waitlist=False,
        now=now,
        delete_unwanted=True,
    )
    return done.slots


IMPORTED_CLOSURE_REASON = _("Hari libur nasional atau cuti bersama yang baru ditetapkan pemerintah")


def apply_imported_closures(reach: Iterable[SiteService]) -> AppliedChange:
    """Regenerate the slots of ``reach`` after national holidays or cuti
    bersama days were imported (nobody to preview them: the government has
    decided). A booking on a day that is now closed is cancelled like any
    stranded booking: the citizen is told why and put on the waiting list
    with their original day as the deadline."""
    site_services = _ordered(reach)
    now = clock.now()
    with transaction.atomic():
        _lock_sites(site_services)
        _lock_slots(site_services, now=now)
        plan = _compute(site_services, now=now)
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(IMPORTED_CLOSURE_REASON)
        done = _carry_out(
            site_services, plan, actor=None, reason=reason, join_waitlist=True, now=now
        )
        if plan.stranded:
            record_event(
                action="schedule.holidays_applied",
                data={
                    "reason": reason,
                    "cancelled": [item.code for item in plan.stranded],
                    "waitlisted": done.waitlisted,
                },
            )
    return done


def _ordered(reach: Iterable[SiteService]) -> list[SiteService]:
    unique = {item.pk: item for item in reach}
    return [unique[pk] for pk in sorted(unique)]


def _lock_sites(reach: Sequence[SiteService]) -> None:
    """NO KEY UPDATE on the sites, in id order, as ``apply_change`` takes it."""
    list(
        Site.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted({item.site_id for item in reach}))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _cancel_stranded(
    stranded: StrandedBooking, *, actor: User | None, reason: str, now: dt.datetime
) -> None:
    """Cancel one booking and take its seat off the slot; the seat is not
    passed on (the slot goes, or loses it)."""
    claimed = Booking.objects.filter(pk=stranded.booking_id, status=BookingStatus.CONFIRMED).update(
        status=BookingStatus.CANCELLED,
        cancelled_at=now,
        updated_at=now,
        cancel_reason=CANCEL_REASON,
    )
    if not claimed:  # pragma: no cover - the plan was computed under the slot locks
        raise StalePlan(_empty_plan())
    booking = Booking.objects.select_related("service", "slot").get(pk=stranded.booking_id)
    Slot.objects.filter(pk=booking.slot_id, booked__gte=1).update(booked=F("booked") - 1)
    booking_services.withdraw_earlier_seat_requests(booking, actor=actor)
    record_event(
        action="booking.cancelled",
        actor=actor,
        target=booking,
        site_id=booking.site_id,
        agency_id=booking.service.agency_id,
        data={"reason": CANCEL_REASON, "detail": reason, "slot": booking.slot_id},
    )


def _empty_plan() -> SchedulePlan:
    return SchedulePlan([], [], [], [], "")


def _withdraw_offers(slot_ids: Sequence[int], *, now: dt.datetime) -> None:
    """Open waiting-list offers on slots that go: the citizen goes back to
    waiting (first in line again for the next seat) and the held seat is
    released, so ``materialise_slots`` can delete the slot."""
    from antre.waitlist.models import Offer, OfferStatus, WaitlistEntry, WaitlistStatus

    for offer in Offer.objects.filter(slot_id__in=slot_ids, status=OfferStatus.OPEN):
        closed = Offer.objects.filter(pk=offer.pk, status=OfferStatus.OPEN).update(
            status=OfferStatus.WITHDRAWN, closed_at=now
        )
        if closed:
            WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistStatus.OFFERED).update(
                status=WaitlistStatus.WAITING, updated_at=now
            )
            Slot.objects.filter(pk=offer.slot_id, held__gte=1).update(held=F("held") - 1)


def _join_waitlist(stranded: StrandedBooking) -> bool:
    """Put the citizen on the waiting list of the same service at the same
    site until their original day; False when that cannot be (no account,
    already waiting, the service no longer offered there)."""
    from antre.waitlist import services as waitlist_services

    booking = Booking.objects.select_related("citizen", "service", "site").get(
        pk=stranded.booking_id
    )
    if booking.citizen is None:
        return False
    try:
        waitlist_services.join_waitlist(
            citizen=booking.citizen,
            service=booking.service,
            sites=[booking.site],
            earliest=clock.today(booking.site.timezone),
            latest=stranded.start.date(),
        )
    except DomainError:
        return False
    return True


def _offer_new_seats(
    reach: Sequence[SiteService], plan: SchedulePlan, *, actor: User | None
) -> int:
    """Seats the change adds (new slots, raised capacity) go to the waiting
    list first (PRODUCT.md "Full is not the end"); what nobody there takes is
    left for the public."""
    from antre.waitlist import services as waitlist_services
    from antre.waitlist.models import WaitlistEntry, WaitlistStatus

    offered = 0
    for site_service in reach:
        diff = plan.diffs.get(site_service.pk)
        if diff is None:
            continue
        if not WaitlistEntry.objects.filter(
            service_id=site_service.service_id, status=WaitlistStatus.WAITING
        ).exists():
            continue
        raised = [slot.slot_id for slot, seats in diff.resized if seats > slot.capacity]
        starts = [slot.start for slot in diff.added]
        slot_ids = set(raised) | set(
            Slot.objects.filter(site_service=site_service, start__in=starts).values_list(
                "pk", flat=True
            )
        )
        for slot_id in sorted(slot_ids):
            offered += waitlist_services.offer_free_seats(slot_id=slot_id, actor=actor)
    return offered


_TITLE = gettext_noop("Mohon maaf, jadwal Anda dibatalkan")


def _notify_stranded(stranded: StrandedBooking, *, reason: str, waitlisted: bool) -> None:
    """The apology, rendered now (the booking's slot may be deleted before
    the outbox delivers) in Indonesian and English."""
    if not stranded.email:
        return
    booking = Booking.objects.select_related("service__agency", "site").get(pk=stranded.booking_id)
    site = booking.site
    service = booking.service
    base = settings.BASE_URL

    def localized() -> dict[str, Any]:
        when = describe_when(stranded.start, stranded.end, site.timezone)
        return {"when": when}

    context = {
        "title_msgid": _TITLE,
        "name": stranded.name,
        "event": "cancelled",
        "code": stranded.code,
        "service": service,
        "agency": service.agency,
        "site": site,
        "reason": reason,
        "waitlisted": waitlisted,
        "rebook_url": f"{base}/gerai/{site.slug}/layanan/{service.slug}/",
        "waitlist_url": f"{base}/daftar-tunggu/",
        "join_url": f"{base}/gerai/{site.slug}/layanan/{service.slug}/daftar-tunggu/",
    }
    indonesian, english = in_languages(_TITLE)
    subject = f"{indonesian}: {stranded.code}"
    if english != indonesian:
        subject += f" · {english}"
    with translation.override("id"):
        when_id = describe_when(stranded.start, stranded.end, site.timezone)
    rendered = render_email(
        "booking_schedule_change",
        subject=subject,
        context=context,
        localized=localized,
        layout={"preheader": f"{stranded.code} · {when_id['date']}, {when_id['time']}"},
    )
    queue_message(kind="booking_schedule_change", recipient=stranded.email, rendered=rendered)
