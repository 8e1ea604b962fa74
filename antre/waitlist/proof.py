"""The signed proof of a timely request (issue "Full is not the end", item 9).

A citizen on the waiting list, or holding a booking, may need to show an
agency that they asked for a service before their deadline (Berlin accepts a
booking confirmation as proof of a met deadline). The proof is a PDF stating
the facts, and a QR code to a public verification page whose URL carries the
same facts, signed with the project's secret key (``django.core.signing``
with a salt of its own, so no other signed value of antre can pass for a
proof). The verification page needs no database: an officer scanning the QR
at the counter sees "valid" and the facts, masked, or "not valid" when a
single character of the token was changed.

The facts are fixed when the proof is issued; the proof says what was asked
and when, not what happened afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.core import signing
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from antre.accounts.models import User
from antre.booking.models import Booking
from antre.core import clock
from antre.core import signing as clock_signing
from antre.waitlist.models import WaitlistEntry, WaitlistKind, WaitlistStatus

SALT = "antre.waitlist.proof"
VERIFY_PATH = "/bukti/{token}/"


@dataclass(frozen=True)
class ProofFacts:
    """What a proof states. ``kind`` is "waitlist" or "booking"; ``deadline``
    is None when the citizen gave none (a plain booking); ``appointment`` is
    the booked slot's local start, for a booking."""

    proof_id: str
    kind: str
    name: str
    nik: str
    service: str
    agency: str
    sites: tuple[str, ...]
    requested_at: dt.datetime
    deadline: dt.date | None
    appointment: dt.datetime | None
    issued_at: dt.datetime
    timezone: str

    @property
    def in_time(self) -> bool:
        """Whether the request was made on or before the deadline."""
        if self.deadline is None:
            return True
        local = self.requested_at.astimezone(_zone(self.timezone)).date()
        return local <= self.deadline


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def mask_name(name: str) -> str:
    """Enough of a name for an officer to match it to the person in front of
    them, not enough to read it off a public page: "Budi Santoso" -> "Bu** Sa*****"."""
    return " ".join(word[:2] + "*" * max(len(word) - 2, 0) for word in name.split())


def _proof_id(kind: str, pk: int) -> str:
    """Stable per entry or booking (downloading twice gives the same proof),
    unguessable from the primary key."""
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"{SALT}:{kind}:{pk}".encode(), hashlib.sha256).hexdigest()
    return f"{'W' if kind == 'waitlist' else 'B'}-{digest[:10].upper()}"


def entry_facts(entry: WaitlistEntry, citizen: User) -> ProofFacts:
    """The facts of a deadline entry on the waiting list."""
    sites = entry.sites.all()
    timezone = sites[0].timezone if sites else "Asia/Jakarta"
    return ProofFacts(
        proof_id=_proof_id("waitlist", entry.pk),
        kind="waitlist",
        name=citizen.full_name,
        nik=citizen.nik_masked,
        service=entry.service.name,
        agency=entry.service.agency.name,
        sites=tuple(site.name for site in sites),
        requested_at=entry.created_at,
        deadline=entry.latest if entry.kind == WaitlistKind.DEADLINE else None,
        appointment=None,
        issued_at=clock.now(),
        timezone=timezone,
    )


def _deadline_entry(booking: Booking) -> WaitlistEntry | None:
    """The deadline entry of the waiting list the booking came through: its
    citizen's latest entry for its service that ended booked and was made
    before it. None for a booking made directly."""
    if booking.citizen_id is None:
        return None
    return (
        WaitlistEntry.objects.filter(
            citizen_id=booking.citizen_id,
            service_id=booking.service_id,
            kind=WaitlistKind.DEADLINE,
            status=WaitlistStatus.BOOKED,
            created_at__lte=booking.created_at,
        )
        .order_by("-created_at")
        .first()
    )


def booking_deadline(booking: Booking) -> dt.date | None:
    """The deadline a proof of ``booking`` states: the one its citizen gave on
    the waiting list it came through, or None (nothing timely to prove)."""
    entry = _deadline_entry(booking)
    return entry.latest if entry is not None else None


def booking_facts(booking: Booking, citizen: User) -> ProofFacts:
    """The facts of a booking; its deadline is the one the citizen gave on the
    waiting list for this service, if they came through it."""
    entry = _deadline_entry(booking)
    site = booking.site
    return ProofFacts(
        proof_id=_proof_id("booking", booking.pk),
        kind="booking",
        name=citizen.full_name,
        nik=citizen.nik_masked,
        service=booking.service.name,
        agency=booking.service.agency.name,
        sites=(site.name,),
        requested_at=entry.created_at if entry is not None else booking.created_at,
        deadline=entry.latest if entry is not None else None,
        appointment=booking.slot.start,
        issued_at=clock.now(),
        timezone=site.timezone,
    )


def sign(facts: ProofFacts) -> str:
    """The token behind the QR: the facts, masked, signed and compressed."""
    payload: dict[str, Any] = {
        "i": facts.proof_id,
        "k": facts.kind,
        "n": mask_name(facts.name),
        "c": facts.nik,
        "s": facts.service,
        "a": facts.agency,
        "g": list(facts.sites),
        "r": facts.requested_at.isoformat(),
        "d": facts.deadline.isoformat() if facts.deadline else None,
        "p": facts.appointment.isoformat() if facts.appointment else None,
        "t": facts.issued_at.isoformat(),
        "z": facts.timezone,
    }
    return clock_signing.dumps(payload, salt=SALT, compress=True)


def verify(token: str) -> ProofFacts | None:
    """The facts a token states when its signature holds; None for a forged,
    altered or malformed token."""
    try:
        payload = signing.loads(token, salt=SALT)
        return ProofFacts(
            proof_id=str(payload["i"]),
            kind=str(payload["k"]),
            name=str(payload["n"]),
            nik=str(payload["c"]),
            service=str(payload["s"]),
            agency=str(payload["a"]),
            sites=tuple(str(site) for site in payload["g"]),
            requested_at=dt.datetime.fromisoformat(payload["r"]),
            deadline=dt.date.fromisoformat(payload["d"]) if payload["d"] else None,
            appointment=dt.datetime.fromisoformat(payload["p"]) if payload["p"] else None,
            issued_at=dt.datetime.fromisoformat(payload["t"]),
            timezone=str(payload["z"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def verify_url(token: str) -> str:
    return settings.BASE_URL.rstrip("/") + VERIFY_PATH.format(token=token)


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def _latin1(text: str) -> str:
    """The PDF's core fonts are Latin-1; anything else becomes "?" rather than
    failing the download."""
    return text.encode("latin-1", "replace").decode("latin-1")


def describe_time(moment: dt.datetime, timezone: str) -> str:
    local = moment.astimezone(_zone(timezone))
    return f"{date_format(local, 'j F Y')} {local:%H:%M} ({timezone})"


def render_pdf(facts: ProofFacts, *, url: str, language: str) -> bytes:
    """The proof as a one-page A4 PDF in ``language`` ("id" or "en")."""
    from fpdf import FPDF

    with translation.override(language):
        pdf = FPDF(format="A4")
        pdf.set_title(_latin1(_("Bukti permintaan layanan") + f" {facts.proof_id}"))
        pdf.set_author("antre")
        pdf.set_creation_date(facts.issued_at)
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(0, 10, _latin1(_("Bukti permintaan layanan")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(
            0,
            6,
            _latin1(_("Nomor bukti: %(id)s") % {"id": facts.proof_id}),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 11)
        statement = (
            _(
                "Dengan ini antre, sistem antrean Mal Pelayanan Publik, menyatakan bahwa "
                "warga berikut telah meminta layanan di bawah ini pada tanggal permintaan, "
                "sebelum tenggatnya."
            )
            if facts.deadline is not None and facts.in_time
            else _(
                "Dengan ini antre, sistem antrean Mal Pelayanan Publik, menyatakan bahwa "
                "warga berikut telah meminta layanan di bawah ini pada tanggal permintaan."
            )
        )
        pdf.multi_cell(0, 6, _latin1(statement), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        rows = [
            (_("Nama"), facts.name),
            (_("NIK"), facts.nik),
            (_("Layanan"), facts.service),
            (_("Instansi"), facts.agency),
            (_("Gerai"), ", ".join(facts.sites)),
            (_("Tanggal permintaan"), describe_time(facts.requested_at, facts.timezone)),
        ]
        if facts.deadline is not None:
            rows.append((_("Tenggat"), date_format(facts.deadline, "j F Y")))
        if facts.appointment is not None:
            rows.append((_("Jadwal layanan"), describe_time(facts.appointment, facts.timezone)))
        rows.append((_("Diterbitkan"), describe_time(facts.issued_at, facts.timezone)))
        for label, value in rows:
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(50, 7, _latin1(label))
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        top = pdf.get_y()
        pdf.image(io.BytesIO(qr_png(url)), x=pdf.l_margin, y=top, w=45, h=45)
        pdf.set_xy(pdf.l_margin + 50, top)
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(
            0,
            5,
            _latin1(
                _(
                    "Petugas dapat memeriksa keaslian bukti ini dengan memindai kode QR atau "
                    "membuka alamat berikut; halaman itu memeriksa tanda tangan digitalnya."
                )
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_x(pdf.l_margin + 50)
        pdf.set_font("Courier", "", 6)
        pdf.multi_cell(0, 3, _latin1(url), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
