"""On-site rules' errors; each ``code`` is a problem code of API.md ("On site")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from antre.core.errors import Conflict, InvalidInput, NotFound


class UnknownCode(NotFound):
    code = "unknown_code"
    title = _("Kode tidak dikenal")
    default_detail = _("Kode pemesanan ini tidak kami kenal. Periksa kembali kodenya.")


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"
    title = _("Sudah check-in")
    default_detail = _("Pemesanan ini sudah check-in; nomor antrean sudah dicetak.")


class TooEarly(InvalidInput):
    code = "too_early"
    title = _("Terlalu awal")
    default_detail = _("Check-in belum dibuka untuk pemesanan ini. Silakan kembali nanti.")


class TooLate(InvalidInput):
    code = "too_late"
    title = _("Terlambat")
    default_detail = _("Waktu check-in untuk pemesanan ini sudah lewat.")


class WrongSite(InvalidInput):
    code = "wrong_site"
    title = _("Gerai lain")
    default_detail = _("Pemesanan ini untuk gerai lain.")


class BookingCancelled(InvalidInput):
    code = "cancelled"
    title = _("Pemesanan dibatalkan")
    default_detail = _("Pemesanan ini sudah dibatalkan.")


class WalkInQuotaExhausted(Conflict):
    code = "walk_in_quota_exhausted"
    title = _("Kuota tanpa janji habis")
    default_detail = _("Kuota nomor antrean tanpa janji untuk layanan ini hari ini sudah habis.")


class WalkInNotAllowed(InvalidInput):
    code = "walk_in_not_allowed"
    title = _("Hanya dengan janji")
    default_detail = _("Layanan ini hanya melayani pemohon yang sudah memesan.")


class SiteClosed(InvalidInput):
    code = "closed"
    title = _("Tutup")
    default_detail = _("Gerai atau layanan ini sedang tutup.")


class UnknownService(NotFound):
    code = "unknown_service"
    title = _("Layanan tidak ada")
    default_detail = _("Layanan ini tidak tersedia di gerai ini.")


class SameService(InvalidInput):
    code = "same_service"
    title = _("Layanan yang sama")
    default_detail = _(
        "Nomor antrean ini sudah di layanan itu; pilih layanan lain untuk dialihkan."
    )


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = _("Tidak dapat dilakukan")
    default_detail = _("Nomor antrean ini tidak dalam keadaan yang memungkinkan tindakan ini.")


class CounterBusy(Conflict):
    code = "counter_busy"
    title = _("Loket masih melayani")
    default_detail = _("Selesaikan atau tandai tidak hadir nomor yang sedang dipanggil lebih dulu.")


class CounterPaused(Conflict):
    code = "counter_paused"
    title = _("Loket dijeda")
    default_detail = _("Loket ini sedang dijeda; lanjutkan lebih dulu.")
