"""The contents of antre's e-mails: what each kind of message says and carries.

Nothing here writes to the database; ``antre.notifications.services`` queues
messages and ``antre.notifications.delivery`` sends them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_noop, pgettext

from antre.booking.documents import (
    booking_ics,
    booking_ics_filename,
    booking_links,
    booking_qr_png,
    zone_abbreviation,
)
from antre.booking.models import Booking, Slot
from antre.notifications.rendering import (
    Attachment,
    RenderedEmail,
    bilingual,
    in_languages,
    render_email,
)

BookingEvent = Literal[
    "confirmed", "cancelled", "rescheduled", "reminder", "attendance", "unconfirmed"
]
AccountEvent = Literal["verify_email", "password_reset", "email_verified", "account_deleted"]

BOOKING_EVENTS: tuple[BookingEvent, ...] = (
    "confirmed",
    "cancelled",
    "rescheduled",
    "reminder",
    "attendance",
    "unconfirmed",
)

# Titles are message ids: the heading of each language's part and, Indonesian
# then English, the subject line.
_BOOKING_TITLES: dict[BookingEvent, str] = {
    "confirmed": gettext_noop("Pemesanan terkonfirmasi"),
    "cancelled": gettext_noop("Pemesanan dibatalkan"),
    "rescheduled": gettext_noop("Jadwal pemesanan diubah"),
    "reminder": gettext_noop("Pengingat jadwal layanan"),
    "attendance": gettext_noop("Mohon konfirmasi kehadiran Anda"),
    "unconfirmed": gettext_noop("Pemesanan dilepas karena tidak dikonfirmasi"),
}
_ACCOUNT_TITLES: dict[AccountEvent, str] = {
    "verify_email": gettext_noop("Verifikasi alamat e-mail Anda"),
    "password_reset": gettext_noop("Atur ulang kata sandi Anda"),
    "email_verified": gettext_noop("Alamat e-mail Anda sudah terverifikasi"),
    "account_deleted": gettext_noop("Akun antre Anda sudah dihapus"),
}


def _subject(title: str, detail: str | None = None) -> str:
    indonesian, english = in_languages(title)
    head = f"{indonesian}: {detail}" if detail else indonesian
    return head if english == indonesian else f"{head} · {english}"


def describe_when(
    start: dt.datetime, end: dt.datetime, timezone: str, *, changes_close_minutes: int = 0
) -> dict[str, str]:
    """The slot as a citizen reads it at the site, in the active language:
    ``{"date": "Rabu, 3 Juni 2026", "time": "09.00–09.30 WIB",
    "start_time": "09.00 WIB", "change_deadline": "Rabu, 3 Juni 2026 07.00 WIB"}``.

    Always the site's zone, never the reader's: a citizen in Jakarta booking
    at a WITA site must arrive at 09:00 WITA."""
    zone_info = zoneinfo.ZoneInfo(timezone)
    local_start = start.astimezone(zone_info)
    local_end = end.astimezone(zone_info)
    deadline = (start - dt.timedelta(minutes=changes_close_minutes)).astimezone(zone_info)
    # Indonesian writes 09.00, English 09:00.
    time_format = pgettext("time of day in e-mails", "H.i")
    date_pattern = "l, j F Y"
    zone = zone_abbreviation(timezone, local_start)
    start_time = date_format(local_start, time_format)
    return {
        "date": date_format(local_start, date_pattern),
        "time": f"{start_time}–{date_format(local_end, time_format)} {zone}",
        "start_time": f"{start_time} {zone}",
        "change_deadline": f"{date_format(deadline, date_pattern)} "
        f"{date_format(deadline, time_format)} {zone}",
    }


def qr_content_id(booking: Booking) -> str:
    return f"qr-{booking.code}@antre"


def render_booking_email(
    booking: Booking, event: BookingEvent, *, slot: Slot | None = None
) -> RenderedEmail:
    """The e-mail telling the citizen about ``event`` on ``booking``.

    ``slot`` is the slot the event was about (the booking's current one when
    None): a confirmation rendered after a reschedule still shows the time
    that was confirmed. The citizen's NIK is never in the context."""
    slot = slot or booking.slot
    site = slot.site_service.site
    service = booking.service
    citizen = booking.citizen
    active = event not in ("cancelled", "unconfirmed")
    context: dict[str, Any] = {
        "event": event,
        "title_msgid": _BOOKING_TITLES[event],
        "name": citizen.full_name if citizen is not None else "",
        "code": booking.display_code,
        "site": site,
        "service": service,
        "agency": service.agency,
        "requirements": [str(item) for item in service.requirements or []],
        "links": booking_links(booking),
        "home_url": f"{settings.BASE_URL}/",
        "checkin_opens_minutes": site.checkin_opens_minutes,
        "checkin_closes_minutes": site.checkin_closes_minutes,
        "qr_cid": qr_content_id(booking) if active else None,
    }
    if event == "attendance":
        from antre.booking.confirmation import attendance_links

        context["attendance"] = attendance_links(booking)
        context["release_hours"] = service.confirm_release_hours

    def localized() -> dict[str, Any]:
        when = describe_when(
            slot.start,
            slot.end,
            site.timezone,
            changes_close_minutes=service.changes_close_minutes,
        )
        return {"when": when}

    attachments: list[Attachment] = []
    if active:
        attachments.append(
            Attachment(
                filename=f"qr-{booking.code}.png",
                content_type="image/png",
                content=booking_qr_png(booking),
                cid=qr_content_id(booking),
            )
        )
        attachments.append(
            Attachment(
                filename=booking_ics_filename(booking),
                content_type="text/calendar; charset=utf-8; method=PUBLISH",
                content=booking_ics(booking, slot=slot),
            )
        )
    else:
        # The same UID with a higher SEQUENCE: calendars that took the
        # confirmation's file drop the entry.
        attachments.append(
            Attachment(
                filename=booking_ics_filename(booking),
                content_type="text/calendar; charset=utf-8; method=CANCEL",
                content=booking_ics(booking, slot=slot, method="CANCEL"),
            )
        )
    with translation.override("id"):
        when_id = describe_when(slot.start, slot.end, site.timezone)
    return render_email(
        f"booking_{event}",
        subject=_subject(_BOOKING_TITLES[event], booking.display_code),
        context=context,
        localized=localized,
        layout={
            "preheader": f"{booking.display_code} · {when_id['date']}, {when_id['time']}"
            f" · {site.name}",
            "card_code": booking.display_code if active else None,
            "card_label": bilingual(gettext_noop("Kode pemesanan")),
            "card_hint": in_languages(
                gettext_noop("Tunjukkan kode QR ini di kiosk gerai untuk mengambil nomor antrean.")
            ),
            "qr_cid": context["qr_cid"],
        },
        attachments=attachments,
    )


def render_account_email(
    *, name: str, event: AccountEvent, link: str | None = None
) -> RenderedEmail:
    """The account e-mails (verify the address, reset the password, the
    address is verified); ``link`` is the one action the message offers."""
    context = {
        "title_msgid": _ACCOUNT_TITLES[event],
        "name": name,
        "link": link,
        "home_url": f"{settings.BASE_URL}/",
    }
    return render_email(
        f"account_{event}",
        subject=_subject(_ACCOUNT_TITLES[event]),
        context=context,
        layout={"preheader": in_languages(_ACCOUNT_TITLES[event])[0]},
    )


class UndeliverableMessage(Exception):
    """A message that can never be rendered or sent (its booking is gone, its
    kind unknown): delivery gives up at once instead of retrying for hours."""


def render_queued(kind: str, context: dict[str, Any]) -> RenderedEmail:
    """Render a message queued with only its kind and context."""
    event = kind.removeprefix("booking_")
    if kind.startswith("booking_") and event in BOOKING_EVENTS:
        try:
            booking = Booking.objects.select_related(
                "citizen", "service__agency", "slot__site_service__site"
            ).get(pk=context["booking"])
        except (Booking.DoesNotExist, KeyError, TypeError, ValueError):
            raise UndeliverableMessage(f"No booking {context.get('booking')!r}.") from None
        slot_id = context.get("slot")
        slot = (
            Slot.objects.select_related("site_service__site").filter(pk=slot_id).first()
            if isinstance(slot_id, int)
            else None
        )
        return render_booking_email(booking, event, slot=slot)
    raise UndeliverableMessage(f"No renderer for messages of kind {kind!r}.")


WaitlistEvent = Literal["offer", "offer_expired"]

_WAITLIST_TITLES: dict[WaitlistEvent, str] = {
    "offer": gettext_noop("Kursi tersedia untuk Anda"),
    "offer_expired": gettext_noop("Tawaran kursi sudah berakhir"),
}


def render_waitlist_email(
    *,
    name: str,
    event: WaitlistEvent,
    service: str,
    site: str,
    address: str,
    start: dt.datetime,
    end: dt.datetime,
    expires_at: dt.datetime,
    timezone: str,
) -> RenderedEmail:
    """A seat held for a citizen on the waiting list (accept before
    ``expires_at``), or the news that the hold ran out."""
    zone_info = zoneinfo.ZoneInfo(timezone)

    def localized() -> dict[str, Any]:
        local_expiry = expires_at.astimezone(zone_info)
        time_format = pgettext("time of day in e-mails", "H.i")
        return {
            "when": describe_when(start, end, timezone),
            "expires": f"{date_format(local_expiry, 'l, j F Y')} "
            f"{date_format(local_expiry, time_format)} "
            f"{zone_abbreviation(timezone, local_expiry)}",
        }

    context = {
        "title_msgid": _WAITLIST_TITLES[event],
        "name": name,
        "service": service,
        "site": site,
        "address": address,
        "link": f"{settings.BASE_URL}/daftar-tunggu/",
    }
    return render_email(
        f"waitlist_{event}",
        subject=_subject(_WAITLIST_TITLES[event], service),
        context=context,
        localized=localized,
        layout={"preheader": in_languages(_WAITLIST_TITLES[event])[0]},
    )


_DIGEST_TITLE = gettext_noop("Warga di daftar tunggu akan melewati tenggatnya")


@dataclass(frozen=True)
class DigestRow:
    """One service of the deadline digest: how many wait, how many will miss
    their deadline (and by which dates), the extra seats per open day that
    would clear it (``None``: only a new session helps)."""

    service: str
    waiting: int
    will_miss: int
    misses_by_date: list[tuple[dt.date, int]]
    extra_seats_per_day: int | None


def render_deadline_digest(
    *, name: str, agency: str, day: dt.date, rows: list[DigestRow]
) -> RenderedEmail:
    """The daily digest to an agency admin: the services whose waiting
    citizens will miss their deadline at the present capacity."""

    def localized() -> dict[str, Any]:
        return {
            "day": date_format(day, "l, j F Y"),
            "rows": [
                {
                    "row": row,
                    "dates": "; ".join(
                        f"{date_format(deadline, 'j F')}: {count}"
                        for deadline, count in row.misses_by_date
                    ),
                }
                for row in rows
            ],
        }

    context = {
        "title_msgid": _DIGEST_TITLE,
        "name": name,
        "agency": agency,
        "link": f"{settings.BASE_URL}/backoffice/laporan/",
    }
    return render_email(
        "deadline_digest",
        subject=_subject(_DIGEST_TITLE, agency),
        context=context,
        localized=localized,
        layout={"preheader": in_languages(_DIGEST_TITLE)[0]},
    )
