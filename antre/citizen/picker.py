"""The slot picker shared by the service page and the reschedule page: a month
calendar of one site service, the slots of the chosen day, and where else the
service has a free seat when this site has none.

Builds what the template shows (labels, links) from the reads of
``antre.booking.availability``; knows nothing of the page it sits on except
through the link builders it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

from antre.booking import availability
from antre.booking.availability import CalendarDay, DayState, SlotChoice
from antre.catalog.models import Site, SiteService
from antre.citizen import formatting

MONTH_PARAMETER = "bulan"
DAY_PARAMETER = "tanggal"
# The id of the chosen day's slot list: a refused booking or move comes back
# to it (``…?tanggal=…#hari``), and its message, tagged with the same word,
# is shown there rather than at the top of the page, out of sight.
DAY_ANCHOR = "hari"


@dataclass(frozen=True)
class CalendarCell:
    day: CalendarDay
    url: str
    """The picker's URL with this day chosen; empty when the day has no slots."""
    label: str
    """The whole story for screen readers: "Rabu 3 Juni: 12 kursi tersisa"."""
    short: str
    """What fits under the day number on a phone: "12", "Penuh", "Tutup"."""
    selected: bool
    today: bool


@dataclass(frozen=True)
class SlotOption:
    choice: SlotChoice
    url: str
    """Where choosing it leads; empty when it cannot be chosen (full, current)."""
    time: str
    status: str
    current: bool = False


@dataclass(frozen=True)
class ElsewhereOption:
    site: Site
    when: formatting.When | None
    """Its earliest free slot, or None when it has none either."""
    url: str


@dataclass(frozen=True)
class Weekday:
    short: str
    name: str


@dataclass
class Picker:
    site_service: SiteService
    month: dt.date
    title: str
    weekdays: list[Weekday]
    weeks: list[list[CalendarCell | None]]
    previous_url: str = ""
    previous_label: str = ""
    next_url: str = ""
    next_label: str = ""
    closed_days: list[tuple[str, str]] = field(default_factory=list)
    selected: CalendarCell | None = None
    selected_title: str = ""
    slots: list[SlotOption] = field(default_factory=list)
    free_in_month: bool = False
    elsewhere: list[ElsewhereOption] | None = None

    @property
    def selected_is_full(self) -> bool:
        return self.selected is not None and self.selected.day.state == DayState.FULL


def parse_month(raw: str | None) -> dt.date | None:
    """``2026-06`` as the first of that month; None for anything else."""
    try:
        return dt.datetime.strptime(raw or "", "%Y-%m").date().replace(day=1)  # noqa: DTZ007 (a date, no instant)
    except ValueError:
        return None


def parse_day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _day_label(day: CalendarDay, today: dt.date) -> str:
    name = formatting.day_and_month(day.date)
    match day.state:
        case DayState.AVAILABLE:
            return ngettext(
                "%(day)s: %(count)s kursi tersisa",
                "%(day)s: %(count)s kursi tersisa",
                day.free_seats,
            ) % {"day": name, "count": day.free_seats}
        case DayState.FULL:
            return gettext("%(day)s: penuh") % {"day": name}
        case DayState.CLOSED if day.closure_reason:
            return gettext("%(day)s: tutup, %(reason)s") % {
                "day": name,
                "reason": day.closure_reason,
            }
        case DayState.CLOSED:
            return gettext("%(day)s: tutup") % {"day": name}
        case DayState.NO_SLOTS:
            return gettext("%(day)s: tidak ada slot yang dapat dipesan") % {"day": name}
        case _ if day.date < today:
            return gettext("%(day)s: sudah lewat") % {"day": name}
        case _:
            return gettext("%(day)s: belum dibuka untuk pemesanan") % {"day": name}


def _day_short(day: CalendarDay) -> str:
    match day.state:
        case DayState.AVAILABLE:
            return str(day.free_seats)
        case DayState.FULL:
            return pgettext("calendar day", "Penuh")
        case DayState.CLOSED:
            return pgettext("calendar day", "Tutup")
        case DayState.NO_SLOTS:
            return "–"
        case _:
            return ""


def _weekdays() -> list[Weekday]:
    monday = dt.date(2026, 6, 1)
    return [
        Weekday(
            short=date_format(monday + dt.timedelta(days=offset), "D"),
            name=date_format(monday + dt.timedelta(days=offset), "l"),
        )
        for offset in range(7)
    ]


class PickerLinks:
    """Builds the picker's links: the page's path with its own fixed query
    parameters (the reschedule page's ``gerai``) plus the month or day."""

    def __init__(
        self,
        *,
        path: str,
        fixed: Mapping[str, str] | None = None,
        slot_url: Callable[[SlotChoice], str],
        elsewhere_url: Callable[[Site, dt.date | None], str],
    ) -> None:
        self.path = path
        self.fixed = dict(fixed or {})
        self.slot_url = slot_url
        self.elsewhere_url = elsewhere_url

    def page(self, **parameters: str) -> str:
        return f"{self.path}?{urlencode({**self.fixed, **parameters})}"

    def month(self, month: dt.date) -> str:
        return self.page(**{MONTH_PARAMETER: f"{month:%Y-%m}"})

    def day(self, day: dt.date) -> str:
        return self.page(**{DAY_PARAMETER: day.isoformat()})


def build_picker(
    *,
    site_service: SiteService,
    links: PickerLinks,
    month: dt.date | None,
    day: dt.date | None,
    current_slot_id: int | None = None,
) -> Picker:
    """The picker for ``site_service`` showing ``month`` (or the month of
    ``day``, or this month) and, when ``day`` is given and has slots, the
    slots of that day. The month is clamped to the booking window.
    ``current_slot_id`` marks the slot a booking being moved is in now.

    Queries: three for the calendar, one for the day's slots, two for the
    other sites when this one is full."""
    site, service = site_service.site, site_service.service
    # The window opens today at the site.
    window_first, window_last = availability.booking_window(site, service)
    today = window_first
    first_month, last_month = window_first.replace(day=1), window_last.replace(day=1)
    shown = (day.replace(day=1) if day else None) or month or first_month
    shown = min(max(shown, first_month), last_month)
    calendar = availability.month_calendar(site_service=site_service, month=shown)
    by_date = {entry.date: entry for entry in calendar}
    chosen = by_date.get(day) if day else None
    if chosen is not None and not chosen.is_selectable:
        chosen = None

    cells = [
        CalendarCell(
            day=entry,
            url=links.day(entry.date) if entry.is_selectable else "",
            label=_day_label(entry, today),
            short=_day_short(entry),
            selected=chosen is not None and entry.date == chosen.date,
            today=entry.date == today,
        )
        for entry in calendar
    ]
    # Weeks start on Monday; the first week is padded before the 1st and
    # the last after the month's end.
    padded: list[CalendarCell | None] = [None] * calendar[0].date.weekday() + list(cells)
    padded += [None] * (-len(padded) % 7)
    weeks = [padded[index : index + 7] for index in range(0, len(padded), 7)]

    picker = Picker(
        site_service=site_service,
        month=shown,
        title=formatting.month_title(shown),
        weekdays=_weekdays(),
        weeks=weeks,
        closed_days=[
            (formatting.day_and_month(entry.date), entry.closure_reason)
            for entry in calendar
            if entry.state == DayState.CLOSED and entry.closure_reason and entry.date >= today
        ],
        free_in_month=any(entry.state == DayState.AVAILABLE for entry in calendar),
    )
    if shown > first_month:
        previous = _add_months(shown, -1)
        picker.previous_url = links.month(previous)
        picker.previous_label = formatting.month_title(previous)
    if shown < last_month:
        following = _add_months(shown, 1)
        picker.next_url = links.month(following)
        picker.next_label = formatting.month_title(following)

    if chosen is not None:
        picker.selected = next(cell for cell in cells if cell.selected)
        picker.selected_title = formatting.long_date(chosen.date)
        picker.slots = [
            _slot_option(choice, links, current=choice.slot_id == current_slot_id)
            for choice in availability.day_slots(site_service=site_service, day=chosen.date)
        ]
    if not picker.free_in_month or picker.selected_is_full:
        picker.elsewhere = [
            ElsewhereOption(
                site=entry.site,
                when=formatting.describe_choice(entry.slot) if entry.slot else None,
                url=links.elsewhere_url(
                    entry.site, entry.slot.start.date() if entry.slot else None
                ),
            )
            for entry in availability.earliest_free_slots_elsewhere(
                service=service, exclude_site=site
            )
        ]
    return picker


def _slot_option(choice: SlotChoice, links: PickerLinks, *, current: bool) -> SlotOption:
    if current:
        status = gettext("Jadwal Anda sekarang")
    elif choice.is_full:
        status = pgettext("slot", "Penuh")
    else:
        status = ngettext(
            "%(count)s kursi tersisa", "%(count)s kursi tersisa", choice.remaining
        ) % {"count": choice.remaining}
    return SlotOption(
        choice=choice,
        url="" if current or choice.is_full else links.slot_url(choice),
        time=formatting.time_range(choice.start, choice.end, choice.zone),
        status=status,
        current=current,
    )
