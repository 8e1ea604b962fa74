"""A ticket as the kiosk shows and prints it: its facts as text in the active
language, always in the site's zone (a kiosk's own clock and zone never
matter), and the QR code of its live page."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from antre.booking.documents import zone_abbreviation
from antre.catalog.models import Site
from antre.onsite.models import Ticket
from antre.onsite.selectors import TicketState


def clock_time(instant: dt.datetime, site: Site) -> str:
    """09.00 WIB (Indonesian writes a dot, English a colon)."""
    local = instant.astimezone(site.tzinfo)
    time = date_format(local, pgettext("time of day", "H.i"))
    return f"{time} {zone_abbreviation(site.timezone, local)}"


def long_date(instant: dt.datetime | dt.date, site: Site) -> str:
    """Selasa, 2 Juni 2026"""
    if isinstance(instant, dt.datetime):
        instant = instant.astimezone(site.tzinfo)
    return date_format(instant, pgettext("long date", "l, j F Y"))


def date_and_time(instant: dt.datetime, site: Site) -> str:
    """Selasa, 2 Juni 2026, 09.05 WIB"""
    return f"{long_date(instant, site)}, {clock_time(instant, site)}"


def live_ticket_url(ticket: Ticket) -> str:
    """The ticket's live page (position, estimate, the call), behind its QR.

    The path is fixed by the board interface (``/antrean/<public_id>/``) and is
    printed on paper that outlives any deployment: it must not change."""
    return f"{settings.BASE_URL}/antrean/{ticket.public_id}/"


def _qr(url: str) -> segno.QRCode:
    # Level M and never a Micro QR (phones read Micro QR poorly); the URL
    # makes a version 4-5 symbol, large enough on 48 mm of thermal paper.
    return segno.make_qr(url, error="m", boost_error=False)


def ticket_qr_svg(ticket: Ticket, *, css_class: str = "ticket-qr") -> str:
    """The live page's QR as an inline SVG (sized by CSS), titled for screen readers."""
    buffer = io.BytesIO()
    _qr(live_ticket_url(ticket)).save(
        buffer,
        kind="svg",
        xmldecl=False,
        omitsize=True,
        scale=4,
        border=4,
        title=gettext("Kode QR halaman antrean %(number)s") % {"number": ticket.number},
        svgclass=css_class,
        lineclass=None,
    )
    return buffer.getvalue().decode("ascii")


@dataclass(frozen=True)
class TicketFacts:
    """What the ticket screen, the print view and the ESC/POS ticket say."""

    number: str
    service: str
    site: str
    issued: str
    position: int
    estimate: str
    enter_now: bool
    live_url: str

    @property
    def instruction(self) -> str:
        if self.enter_now:
            return gettext("Silakan masuk.")
        return gettext("Silakan menunggu di luar; nomor Anda akan dipanggil masuk.")

    @property
    def position_line(self) -> str:
        if self.position == 1:
            return gettext("Anda berikutnya dipanggil.")
        if self.position < 1:
            return ""
        line = gettext("Urutan ke-%(position)d dalam antrean.") % {"position": self.position}
        if self.estimate:
            line += " " + gettext("Perkiraan dipanggil pukul %(time)s.") % {"time": self.estimate}
        return line


def ticket_facts(ticket: Ticket, state: TicketState) -> TicketFacts:
    site = ticket.site
    return TicketFacts(
        number=ticket.number,
        service=ticket.service.name,
        site=site.name,
        issued=date_and_time(ticket.issued_at, site),
        position=state.position,
        estimate=(clock_time(state.estimated_call_at, site) if state.estimated_call_at else ""),
        enter_now=state.enter_now,
        live_url=live_ticket_url(ticket),
    )
