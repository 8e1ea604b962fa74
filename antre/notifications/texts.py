"""Short texts for WhatsApp/SMS: Indonesian first, English below, each a
few lines with the one link that matters. Rendered when queued (they carry
no attachments and cost nothing to render)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from antre.notifications.emails import describe_when
from antre.notifications.rendering import LANGUAGES

if TYPE_CHECKING:
    from antre.booking.models import Booking


def _in_each_language(render: Callable[[], str]) -> str:
    parts: list[str] = []
    for language in LANGUAGES:
        with translation.override(language):
            part = render()
        if part not in parts:
            parts.append(part)
    return "\n\n".join(parts)


def render_waitlist_text(
    *, service: str, site: str, start: dt.datetime, expires_at: dt.datetime, timezone: str
) -> str:
    def render() -> str:
        when = describe_when(start, start, timezone)
        until = describe_when(expires_at, expires_at, timezone)
        return gettext(
            "antre: kursi %(service)s di %(site)s, %(date)s %(time)s, ditahan untuk Anda "
            "sampai %(until)s. Terima di %(link)s"
        ) % {
            "service": service,
            "site": site,
            "date": when["date"],
            "time": when["start_time"],
            "until": f"{until['date']} {until['start_time']}",
            "link": f"{settings.BASE_URL}/daftar-tunggu/",
        }

    return _in_each_language(render)


def render_attendance_text(booking: Booking, links: dict[str, str]) -> str:
    slot = booking.slot
    site = slot.site_service.site

    def render() -> str:
        when = describe_when(slot.start, slot.end, site.timezone)
        return gettext(
            "antre: jadwal %(service)s Anda %(date)s %(time)s di %(site)s. Akan datang? "
            "Konfirmasi: %(confirm)s · Lepaskan kursi: %(release)s"
        ) % {
            "service": booking.service.name,
            "date": when["date"],
            "time": when["start_time"],
            "site": site.name,
            "confirm": links["confirm"],
            "release": links["release"],
        }

    return _in_each_language(render)


def render_unconfirmed_text(booking: Booking) -> str:
    slot = booking.slot
    site = slot.site_service.site

    def render() -> str:
        when = describe_when(slot.start, slot.end, site.timezone)
        return gettext(
            "antre: pemesanan %(code)s (%(service)s, %(date)s %(time)s) dibatalkan karena "
            "tidak dikonfirmasi; kursinya diberikan ke daftar tunggu."
        ) % {
            "code": booking.display_code,
            "service": booking.service.name,
            "date": when["date"],
            "time": when["start_time"],
        }

    return _in_each_language(render)
