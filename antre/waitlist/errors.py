"""The waiting list's errors; each ``code`` is a problem code."""

from __future__ import annotations

import datetime as dt

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from antre.core.errors import Conflict, InvalidInput, NotFound


class OfferExpired(Conflict):
    code = "offer_expired"
    title = _("Tawaran kedaluwarsa")
    default_detail = _("Tawaran kursi ini sudah kedaluwarsa atau tidak berlaku lagi.")


class AlreadyWaiting(Conflict):
    code = "already_waiting"
    title = _("Sudah di daftar tunggu")
    default_detail = _("Anda sudah ada di daftar tunggu layanan ini.")


class InvalidWaitlistRange(InvalidInput):
    """The dates of a waiting-list entry do not make a range; one of the two
    subclasses below says which date is wrong (one code for the API)."""

    code = "invalid_range"
    title = _("Rentang tanggal tidak valid")
    default_detail = _("Tanggal paling cepat harus sebelum tenggat, dan tenggat belum lewat.")


class DeadlinePassed(InvalidWaitlistRange):
    default_detail = _("Tanggal ini sudah lewat. Pilih hari ini atau sesudahnya.")


class EarliestAfterDeadline(InvalidWaitlistRange):
    default_detail = _("Tanggal ini jatuh sesudah tenggat. Pilih tenggat atau sebelumnya.")


class NoSiteOffersService(InvalidInput):
    code = "unknown_site"
    title = _("Gerai tidak menawarkan layanan ini")
    default_detail = _("Pilih gerai yang menawarkan layanan ini.")


class EntryNotFound(NotFound):
    code = "not_found"


class OfferNotFound(NotFound):
    """No such offer was ever made for the entry (another entry's, a made-up id)."""

    code = "not_found"
    default_detail = _("Tawaran ini tidak ada untuk entri daftar tunggu ini.")


class NotWaiting(Conflict):
    code = "not_waiting"
    title = _("Tidak lagi menunggu")
    default_detail = _("Entri daftar tunggu ini sudah tidak aktif.")


class RequestWindowOpen(Conflict):
    """Raised by a first-come booking of a high-demand day whose seats are not
    released yet; ``until`` is when the window closes (None: it has closed
    and the draw is about to run)."""

    code = "request_window_open"
    title = _("Masa permintaan kursi sedang berjalan")
    default_detail = _(
        "Kursi hari ini dibagi secara adil, bukan siapa cepat dia dapat: ajukan permintaan "
        "kursi selama masa permintaan; kursi dibagikan sesudahnya menurut tenggat, lalu diundi."
    )

    def __init__(
        self, detail: str | Promise | None = None, *, until: dt.datetime | None = None
    ) -> None:
        super().__init__(detail)
        self.until = until


class RequestWindowClosed(Conflict):
    code = "request_window_closed"
    title = _("Masa permintaan kursi tidak berjalan")
    default_detail = _("Permintaan kursi untuk hari ini tidak dapat diajukan sekarang.")


class NotHighDemand(InvalidInput):
    code = "no_request_window"
    title = _("Tanpa undian")
    default_detail = _("Layanan ini tidak dibagi dengan undian: pesan slot seperti biasa.")


class AlreadyRequested(Conflict):
    code = "already_requested"
    title = _("Sudah mengajukan permintaan")
    default_detail = _(
        "NIK Anda sudah mengajukan permintaan kursi layanan ini untuk hari itu (di gerai mana pun)."
    )


class NoSlotsThatDay(InvalidInput):
    code = "no_slots"
    title = _("Tidak ada slot")
    default_detail = _("Gerai ini tidak melayani layanan ini pada hari itu.")
