"""What the kiosk tells a person whose scan or walk-in was refused: the
domain error's own detail, then what to do next, made concrete from the
booking (from what time check-in opens, which site the booking is for).

Nothing here changes anything; the booking is read by its code only to
explain the refusal to the person who holds that code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext

from antre.booking.models import Booking
from antre.catalog.models import Service, Site
from antre.core import clock
from antre.core.codes import parse_code
from antre.core.errors import DomainError
from antre.kiosk.presentation import clock_time, long_date
from antre.kiosk.walk_ins import WalkInOption, walk_in_option
from antre.onsite.errors import (
    AlreadyCheckedIn,
    BookingCancelled,
    SiteClosed,
    TooEarly,
    TooLate,
    UnknownCode,
    UnknownService,
    WalkInNotAllowed,
    WalkInQuotaExhausted,
    WrongSite,
)
from antre.onsite.models import OPEN_TICKET_STATUSES, Ticket


@dataclass(frozen=True)
class Problem:
    """A refusal as the kiosk shows it. ``walk_in`` offers a walk-in ticket
    for the same service instead (a late citizen); ``ticket`` is the ticket
    already issued for the booking (shown, and printed again on request)."""

    code: str
    title: str
    detail: str
    next_step: str
    walk_in: WalkInOption | None = None
    ticket: Ticket | None = None


def booking_site_host() -> str:
    """Where citizens book, as they would type it: antre.bekasikota.go.id."""
    return settings.BASE_URL.split("://", 1)[-1]


def _find_booking(code: str) -> Booking | None:
    parsed = parse_code(code)
    if parsed is None:
        return None
    return Booking.objects.select_related("slot", "site", "service").filter(code=parsed).first()


def _appointment(booking: Booking, site: Site) -> str:
    """The appointment as a person reads it: "pukul 10.00 WIB" today, else
    "Rabu, 3 Juni 2026 pukul 10.00 WIB"."""
    start = booking.slot.start
    time = clock_time(start, site)
    if start.astimezone(site.tzinfo).date() == clock.today(site.timezone):
        return gettext("pukul %(time)s") % {"time": time}
    return gettext("%(date)s pukul %(time)s") % {"date": long_date(start, site), "time": time}


def _too_early(booking: Booking | None, site: Site) -> str:
    if booking is None:
        return gettext("Silakan kembali mendekati jam janji Anda.")
    opens = booking.slot.start - timedelta(minutes=site.checkin_opens_minutes)
    return gettext(
        "Janji Anda %(appointment)s. Check-in dibuka mulai pukul %(opens)s; "
        "silakan pindai lagi saat itu."
    ) % {"appointment": _appointment(booking, site), "opens": clock_time(opens, site)}


def _too_late(booking: Booking | None, site: Site, offer: WalkInOption | None) -> str:
    parts = []
    if booking is not None:
        closes = booking.slot.start + timedelta(minutes=site.checkin_closes_minutes)
        parts.append(
            gettext("Janji Anda %(appointment)s; check-in ditutup pukul %(closes)s.")
            % {"appointment": _appointment(booking, site), "closes": clock_time(closes, site)}
        )
    if offer is not None:
        parts.append(
            gettext("Anda masih dapat mengambil nomor antrean tanpa janji untuk layanan ini.")
        )
    else:
        parts.append(
            gettext("Pesan jadwal baru di %(host)s atau tanyakan petugas.")
            % {"host": booking_site_host()}
        )
    return " ".join(parts)


def _wrong_site(booking: Booking | None, site: Site) -> str:
    if booking is None:
        return gettext("Periksa gerai pada e-mail pemesanan Anda.")
    booked_site = booking.site
    where = booked_site.name
    if booked_site.address:
        where = f"{where}, {booked_site.address}"
    return gettext(
        "Pemesanan ini untuk %(site)s, %(appointment)s. Silakan datang ke gerai itu."
    ) % {"site": where, "appointment": _appointment(booking, booked_site)}


def _already_checked_in(booking: Booking | None) -> tuple[Ticket | None, str]:
    ticket = (
        Ticket.objects.filter(booking=booking, status__in=OPEN_TICKET_STATUSES).first()
        if booking is not None
        else None
    )
    if ticket is None:
        return None, gettext("Bila tiket Anda hilang, tanyakan petugas.")
    return ticket, gettext(
        "Nomor antrean Anda %(number)s. Bila tiket Anda hilang, cetak ulang di sini."
    ) % {"number": ticket.number}


def explain_check_in(error: DomainError, *, site: Site, code: str) -> Problem:
    """The kiosk's message for a refused check-in of ``code`` at ``site``."""
    booking = _find_booking(code) if not isinstance(error, UnknownCode) else None
    detail = str(error.detail)
    title = str(error.title)
    match error:
        case UnknownCode():
            next_step = gettext(
                "Periksa kode pemesanan di e-mail Anda (9 huruf dan angka, mis. 7K3M-9QXZ4), "
                "lalu pindai atau ketik lagi. Bila tetap gagal, tanyakan petugas."
            )
        case TooEarly():
            next_step = _too_early(booking, site)
        case TooLate():
            offer = _available_offer(site, booking.service if booking is not None else None)
            return Problem(
                error.code, title, detail, _too_late(booking, site, offer), walk_in=offer
            )
        case WrongSite():
            next_step = _wrong_site(booking, site)
        case BookingCancelled():
            next_step = gettext(
                "Pesan jadwal baru di %(host)s, atau ambil nomor antrean tanpa janji bila tersedia."
            ) % {"host": booking_site_host()}
        case AlreadyCheckedIn():
            ticket, next_step = _already_checked_in(booking)
            return Problem(error.code, title, detail, next_step, ticket=ticket)
        case _:
            next_step = gettext("Silakan tanyakan petugas.")
    return Problem(error.code, title, detail, next_step)


def explain_walk_in(error: DomainError, *, site: Site) -> Problem:
    """The kiosk's message for a refused walk-in ticket."""
    detail = str(error.detail)
    title = str(error.title)
    match error:
        case WalkInQuotaExhausted():
            next_step = gettext(
                "Pesan jadwal untuk hari lain di %(host)s, atau tanyakan petugas."
            ) % {"host": booking_site_host()}
        case WalkInNotAllowed():
            next_step = gettext("Pesan jadwal di %(host)s, lalu datang pada jam janji Anda.") % {
                "host": booking_site_host()
            }
        case SiteClosed():
            next_step = gettext("Layanan ini sedang tutup. Silakan datang lagi pada jam buka.")
        case UnknownService():
            next_step = gettext("Pilih layanan lain atau tanyakan petugas.")
        case _:
            next_step = gettext("Silakan tanyakan petugas.")
    return Problem(error.code, title, detail, next_step)


def _available_offer(site: Site, service: Service | None) -> WalkInOption | None:
    if service is None:
        return None
    option = walk_in_option(site, service)
    return option if option is not None and option.available else None
