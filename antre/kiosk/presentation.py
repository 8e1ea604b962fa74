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
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from antre.booking.documents import zone_abbreviation
from antre.catalog.models import Site
from antre.onsite.models import Priority, Ticket, TicketStatus
from antre.onsite.selectors import TicketState, successor_of


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
    """What the ticket screen, the print view and the ESC/POS ticket say.

    ``status`` is the ticket's own (a ticket screen or a reprint may come
    long after the ticket was issued: called, served, transferred);
    ``priority`` the priority group's name, "" for none; ``successor_*``
    the ticket a transfer made of this one ("" when not transferred)."""

    number: str
    service: str
    site: str
    issued: str
    position: int
    estimate: str
    enter_now: bool
    live_url: str
    status: str = TicketStatus.WAITING
    counter: int | None = None
    priority: str = ""
    successor_number: str = ""
    successor_service: str = ""
    successor_public_id: str = ""

    @property
    def tone(self) -> str:
        """How the instruction looks: ``enter``, ``wait``, ``called`` or
        ``final`` (nothing more to wait for on this ticket)."""
        if self.status == TicketStatus.WAITING:
            return "enter" if self.enter_now else "wait"
        if self.status in (TicketStatus.CALLED, TicketStatus.SERVING):
            return "called"
        return "final"

    @property
    def instruction(self) -> str:
        match self.status:
            case TicketStatus.WAITING if self.enter_now:
                return gettext("Silakan masuk.")
            case TicketStatus.WAITING:
                return gettext("Silakan menunggu di luar; nomor Anda akan dipanggil masuk.")
            case TicketStatus.CALLED if self.counter is not None:
                return gettext("Nomor Anda dipanggil: silakan menuju Loket %(counter)s.") % {
                    "counter": self.counter
                }
            case TicketStatus.CALLED:
                return gettext("Nomor Anda dipanggil: silakan menuju loket.")
            case TicketStatus.SERVING if self.counter is not None:
                return gettext("Sedang dilayani di Loket %(counter)s.") % {"counter": self.counter}
            case TicketStatus.SERVING:
                return gettext("Sedang dilayani.")
            case TicketStatus.DONE:
                return gettext("Selesai dilayani. Terima kasih.")
            case TicketStatus.NO_SHOW:
                return gettext(
                    "Nomor ini dilewati karena tidak hadir saat dipanggil. "
                    "Silakan tanyakan petugas."
                )
            case TicketStatus.TRANSFERRED if self.successor_number:
                return gettext("Dialihkan ke %(service)s dengan nomor baru %(number)s.") % {
                    "service": self.successor_service,
                    "number": self.successor_number,
                }
            case TicketStatus.TRANSFERRED:
                return gettext("Dialihkan ke layanan lain. Silakan tanyakan petugas.")
        return ""

    @property
    def instruction_html(self) -> SafeString:
        """The instruction for a page: a ticket number in it never breaks
        over two lines ("B-" / "001")."""
        text = str(conditional_escape(self.instruction))
        if self.successor_number:
            number = str(conditional_escape(self.successor_number))
            text = text.replace(number, f'<span class="nowrap">{number}</span>')
        return mark_safe(text)  # noqa: S308 - escaped above, the span is ours

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
    """The ticket as it stands now; a transferred one names the ticket its
    transfer made (one more query, only then)."""
    site = ticket.site
    successor = successor_of(ticket)
    return TicketFacts(
        number=ticket.number,
        service=ticket.service.name,
        site=site.name,
        issued=date_and_time(ticket.issued_at, site),
        position=state.position,
        estimate=(clock_time(state.estimated_call_at, site) if state.estimated_call_at else ""),
        enter_now=state.enter_now,
        live_url=live_ticket_url(ticket),
        status=ticket.status,
        counter=ticket.counter.number if ticket.counter is not None else None,
        priority=str(Priority(ticket.priority).label) if ticket.priority else "",
        successor_number=successor.number if successor is not None else "",
        successor_service=successor.service.name if successor is not None else "",
        successor_public_id=successor.public_id if successor is not None else "",
    )
