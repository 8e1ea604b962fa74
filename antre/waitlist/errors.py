"""The waiting list's errors; each ``code`` is a problem code."""

from __future__ import annotations

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
    code = "invalid_range"
    title = _("Rentang tanggal tidak valid")
    default_detail = _("Tanggal paling cepat harus sebelum tenggat, dan tenggat belum lewat.")


class NoSiteOffersService(InvalidInput):
    code = "unknown_site"
    title = _("Gerai tidak menawarkan layanan ini")
    default_detail = _("Pilih gerai yang menawarkan layanan ini.")


class EntryNotFound(NotFound):
    code = "not_found"


class NotWaiting(Conflict):
    code = "not_waiting"
    title = _("Tidak lagi menunggu")
    default_detail = _("Entri daftar tunggu ini sudah tidak aktif.")
