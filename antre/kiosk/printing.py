"""Tickets on ESC/POS thermal printers (python-escpos): a network printer on
its raw TCP port (9100) or a USB printer through its device file.

A printer is the least reliable thing at the door (paper out, unplugged,
switched off, a cable pulled), and a ticket is a promise already made: the
ticket exists once issued, whatever the printer does. So ``print_ticket``
never raises for a printer problem; it returns what happened, logs it, and
records it where the staff see it. Call it only after the ticket's
transaction has committed (the kiosk prints from the ticket screen, a request
after the one that issued the ticket), so a printer can neither roll a ticket
back nor hold a database lock while it times out.
"""

from __future__ import annotations

import logging
import os
import textwrap
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from escpos.constants import QR_ECLEVEL_M
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network

from antre.core.audit import record_event
from antre.kiosk.presentation import TicketFacts, ticket_facts
from antre.onsite import events
from antre.onsite.models import Kiosk, PaperWidth, PrinterKind, Ticket
from antre.onsite.selectors import TicketState, ticket_state

logger = logging.getLogger(__name__)

# Seconds to connect to a network printer and to send each write: short,
# because the person at the kiosk waits on it (and sees the ticket anyway).
PRINT_TIMEOUT_SECONDS = 4

# The board event a failed print sends to the site's live consoles.
PRINTER_FAILED = "kiosk.printer_failed"

# Characters per line in the printer's font A (12 x 24 dots).
COLUMNS = {PaperWidth.MM_80: 48, PaperWidth.MM_58: 32}


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    error: str = ""


def _lines(text: str, columns: int) -> list[str]:
    # Wrap at spaces ourselves: the printer would cut words in half.
    return textwrap.wrap(text, width=columns) or [""]


def _ascii(text: str) -> str:
    """Printers' code pages vary; the few non-ASCII marks of our texts are
    replaced by what every printer has."""
    return text.replace("–", "-").replace("—", "-").replace("·", "-")


def render_escpos(
    printer: Any, ticket: Ticket, state: TicketState, *, paper_width: int = PaperWidth.MM_80
) -> None:
    """Write the ticket to ``printer`` (any python-escpos printer, ``Dummy``
    included): the site, the number in large type, the service, the priority
    group, the date and time in the site's zone, the place in the queue, what
    to do now (as the ticket stands: a reprint of a transferred ticket names
    the new number), the live page's QR (printed natively, ``GS ( k``),
    then a cut."""
    facts: TicketFacts = ticket_facts(ticket, state)
    columns = COLUMNS.get(PaperWidth(paper_width), COLUMNS[PaperWidth.MM_80])

    def say(text: str, **style: Any) -> None:
        if style:
            printer.set(**style)
        for line in _lines(_ascii(text), columns):
            printer.textln(line)

    printer.hw("INIT")
    say(facts.site, align="center", bold=True)
    say(gettext("Nomor antrean"), bold=False)
    printer.set(align="center", bold=True, custom_size=True, width=4, height=4)
    printer.textln(facts.number)
    printer.set(normal_textsize=True)
    printer.ln()
    say(facts.service, bold=True)
    if facts.priority:
        say(gettext("Prioritas: %(priority)s") % {"priority": facts.priority})
    say(facts.issued, bold=False)
    if facts.position_line:
        say(facts.position_line)
    say(facts.instruction, bold=True)
    printer.ln()
    # Native QR (the printer draws it): sharp at any density, a few bytes
    # instead of a raster image. Centred by the alignment set above.
    printer.qr(
        facts.live_url,
        ec=QR_ECLEVEL_M,
        size=6 if paper_width == PaperWidth.MM_80 else 5,
        native=True,
    )
    say(gettext("Pindai untuk memantau antrean dari ponsel Anda."), bold=False)
    printer.ln()
    say(gettext("Simpan tiket ini"), bold=True)
    printer.cut()


def open_printer(kiosk: Kiosk) -> Any:
    """A connected python-escpos printer for the kiosk; raises when it cannot
    be reached (connection refused, timeout, device missing)."""
    if kiosk.printer_kind == PrinterKind.NETWORK:
        printer = Network(kiosk.printer_host, kiosk.printer_port, timeout=PRINT_TIMEOUT_SECONDS)
    elif kiosk.printer_kind == PrinterKind.FILE:
        # python-escpos opens the path for writing and would create a plain
        # file where an unplugged printer's device node used to be.
        if not os.path.exists(kiosk.printer_path):
            raise DeviceNotFoundError(f"{kiosk.printer_path} does not exist")
        printer = File(kiosk.printer_path)
    else:
        raise ValueError(f"{kiosk.printer_kind!r} is not an ESC/POS printer")
    printer.open()
    return printer


def print_ticket(kiosk: Kiosk, ticket: Ticket) -> PrintResult:
    """Print the ticket on the kiosk's ESC/POS printer.

    Never raises for a printer failure: it logs it, records an AuditEvent
    (``kiosk.print_failed``) and a board event for the site's consoles, and
    returns ``PrintResult(ok=False, error=...)``. Call only after the
    ticket's transaction has committed."""
    try:
        printer = open_printer(kiosk)
        try:
            render_escpos(printer, ticket, ticket_state(ticket), paper_width=kiosk.paper_width)
        finally:
            printer.close()
    # Whatever a driver raises (OSError, socket.timeout, escpos's own errors,
    # a bug in a printer profile), the ticket stands: report, don't raise.
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        _report_failure(kiosk, ticket, message)
        return PrintResult(ok=False, error=message)
    return PrintResult(ok=True)


def _report_failure(kiosk: Kiosk, ticket: Ticket, message: str) -> None:
    target = (
        f"{kiosk.printer_host}:{kiosk.printer_port}"
        if kiosk.printer_kind == PrinterKind.NETWORK
        else kiosk.printer_path
    )
    logger.warning(
        "kiosk %s could not print ticket %s on %s printer %s: %s",
        kiosk.pk,
        ticket.number,
        kiosk.printer_kind,
        target,
        message,
    )
    details = {
        "kiosk": kiosk.name,
        "kiosk_id": kiosk.pk,
        "ticket": ticket.number,
        "printer": kiosk.printer_kind,
        "target": target,
        "error": message,
    }
    record_event(
        action="kiosk.print_failed",
        actor=kiosk.user if kiosk.user_id else None,
        target=ticket,
        site_id=ticket.site_id,
        data=details,
    )
    events.emit(site_id=ticket.site_id, kind=PRINTER_FAILED, payload=details)
