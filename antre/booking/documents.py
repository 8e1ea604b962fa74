"""What a booking looks like outside the database: its QR code, its calendar
entry and its links. Pure functions of a booking (no clock, no writes), used by
the e-mails, the citizen's pages and the API.

The booking is expected with ``slot``, ``site`` and ``service__agency``
loaded or loadable; nothing here reads the citizen, so no NIK can leak into a
document.
"""

from __future__ import annotations

import datetime as dt
import io
from email.utils import parseaddr
from typing import Literal, TypedDict

import segno
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from antre.booking.models import Booking, BookingStatus, Slot
from antre.catalog.selectors import ZONE_ABBREVIATIONS


class BookingLinks(TypedDict):
    view: str
    cancel: str
    reschedule: str


def booking_links(booking: Booking) -> BookingLinks:
    """Absolute URLs of the citizen's pages for this booking, under BASE_URL.

    The paths are fixed by the citizen interface (``/pemesanan/<code>/``
    and its ``batal/`` and ``ubah/`` pages); they live in e-mails that are
    never re-sent, so they must not change."""
    view = f"{settings.BASE_URL}/pemesanan/{booking.code}/"
    return {"view": view, "cancel": f"{view}batal/", "reschedule": f"{view}ubah/"}


def zone_abbreviation(timezone: str, instant: dt.datetime | None = None) -> str:
    """WIB, WITA or WIT for Indonesia's zones; elsewhere the zone's own
    abbreviation at ``instant`` (or the IANA name when it has none)."""
    if timezone in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[timezone]
    if instant is not None:
        name = instant.tzname()
        if name and not name.startswith(("+", "-")):
            return name
    return timezone


def _qr(booking: Booking) -> segno.QRCode:
    # The code exactly as stored (9 characters from Crockford's alphabet, all
    # QR "alphanumeric" characters): the kiosk's scanner types it back as is.
    # Level M, not boosted, and never a Micro QR, which USB scanners and
    # phone cameras often do not read: the result is a version 1 symbol
    # (21x21 modules), large and robust when printed or shown on a screen.
    return segno.make_qr(booking.code, error="m", boost_error=False)


def booking_qr_svg(booking: Booking) -> str:
    """The booking's QR code as an inline SVG element (no XML declaration, no
    fixed size: CSS sizes it), titled for screen readers."""
    buffer = io.BytesIO()
    _qr(booking).save(
        buffer,
        kind="svg",
        xmldecl=False,
        omitsize=True,
        scale=4,
        title=gettext("Kode QR pemesanan %(code)s") % {"code": booking.display_code},
        svgclass="booking-qr",
        lineclass=None,
    )
    return buffer.getvalue().decode("ascii")


def booking_qr_png(booking: Booking, *, scale: int = 8) -> bytes:
    """The booking's QR code as a PNG, ``scale`` pixels per module with the
    standard four-module quiet zone (232 px square at the default scale)."""
    buffer = io.BytesIO()
    _qr(booking).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def ics_escape(text: str) -> str:
    """A TEXT value as RFC 5545 wants it: backslash, semicolon, comma and
    newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def ics_fold(line: str, *, limit: int = 75) -> bytes:
    """One content line folded at ``limit`` octets (RFC 5545 3.1), never inside
    a UTF-8 sequence; continuation lines begin with a space, which counts."""
    encoded = line.encode("utf-8")
    chunks: list[bytes] = []
    start = 0
    width = limit
    while len(encoded) - start > width:
        end = start + width
        # Step back from a continuation byte (10xxxxxx) to a character boundary.
        while encoded[end] & 0xC0 == 0x80:
            end -= 1
        chunks.append(encoded[start:end])
        start = end
        width = limit - 1
    chunks.append(encoded[start:])
    return b"\r\n ".join(chunks) + b"\r\n"


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _bilingual(message: str) -> str:
    """``message`` in Indonesian, then in English: a calendar entry is read
    wherever the citizen imports it, with no language chosen."""
    with translation.override("id"):
        indonesian = gettext(message)
    with translation.override("en"):
        english = gettext(message)
    return indonesian if indonesian == english else f"{indonesian} / {english}"


CalendarMethod = Literal["PUBLISH", "CANCEL"]


def booking_ics(
    booking: Booking, *, slot: Slot | None = None, method: CalendarMethod = "PUBLISH"
) -> bytes:
    """The booking as an iCalendar file with one VEVENT, at ``slot`` when
    given (the slot a message was about), else its own.

    Times are in UTC so that no VTIMEZONE is needed. The UID is stable
    (``<code>@antre``) and SEQUENCE grows with every change of the booking,
    so importing the file sent after a reschedule replaces the earlier entry.
    A cancelled booking's file says STATUS:CANCELLED; with ``method="CANCEL"``
    (the cancellation e-mail) it is an iTIP cancellation (RFC 5546), which
    calendars apply to the entry of the same UID: they drop it.
    """
    slot = slot or booking.slot
    site = slot.site_service.site
    service = booking.service
    links = booking_links(booking)
    # Labels are named outside the f-strings: xgettext does not look inside them.
    code_label = _bilingual(gettext_noop("Kode pemesanan"))
    agency_label = _bilingual(gettext_noop("Instansi"))
    documents_label = _bilingual(gettext_noop("Dokumen yang harus dibawa"))
    link_label = _bilingual(gettext_noop("Lihat, ubah atau batalkan"))
    description = [
        f"{code_label}: {booking.display_code}",
        f"{agency_label}: {service.agency.name}",
    ]
    requirements = [str(item) for item in service.requirements or []]
    if requirements:
        description.append(f"{documents_label}:")
        description.extend(f"- {item}" for item in requirements)
    description.append(f"{link_label}: {links['view']}")
    cancelled = method == "CANCEL" or booking.status == BookingStatus.CANCELLED
    # Seconds since the booking was made: grows with each change, fits INTEGER.
    # A cancellation counts one more, so that it outranks the last file sent
    # even when it comes within the same second (calendars ignore a
    # cancellation whose SEQUENCE is lower than the entry's).
    sequence = max(int((booking.updated_at - booking.created_at).total_seconds()), 0)
    sequence += 1 if cancelled else 0
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//antre//Pemesanan//ID",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{booking.code}@antre",
        f"DTSTAMP:{_utc(booking.updated_at)}",
        f"DTSTART:{_utc(slot.start)}",
        f"DTEND:{_utc(slot.end)}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        # RFC 5546 wants an organizer in a PUBLISH and a CANCEL: the address
        # the e-mails come from, so that a cancellation matches its entry.
        f"ORGANIZER;CN={_organizer_name()}:mailto:{_organizer_address()}",
        f"SUMMARY:{ics_escape(f'{service.name} — {site.name}')}",
        f"LOCATION:{ics_escape(site.address or site.name)}",
        f"DESCRIPTION:{ics_escape(chr(10).join(description))}",
        f"URL:{links['view']}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return b"".join(ics_fold(line) for line in lines)


def _organizer_name() -> str:
    name, _address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    # A parameter value: quoted, without the quotes it may not contain.
    return '"{}"'.format((name or "antre").replace('"', ""))


def _organizer_address() -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address or "antre@localhost"


def booking_ics_filename(booking: Booking) -> str:
    return f"antre-{booking.code}.ics"
