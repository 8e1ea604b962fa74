"""The booking rules' errors; each ``code`` is a problem code of API.md."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from antre.core.errors import Conflict, DomainError, InvalidInput, NotFound


class SlotFull(Conflict):
    code = "slot_full"
    title = _("Slot penuh")
    default_detail = _("Semua kursi pada slot ini sudah dipesan. Silakan pilih waktu lain.")


class DuplicateBooking(Conflict):
    code = "duplicate_booking"
    title = _("Sudah punya pemesanan")
    default_detail = _(
        "Anda sudah memiliki pemesanan aktif untuk layanan ini. "
        "Batalkan atau ubah jadwal pemesanan itu lebih dulu."
    )


class BookingLimitReached(Conflict):
    code = "booking_limit_reached"
    title = _("Batas pemesanan tercapai")
    default_detail = _("Anda sudah mencapai batas jumlah pemesanan aktif.")


class OutsideBookingWindow(InvalidInput):
    code = "outside_booking_window"
    title = _("Di luar masa pemesanan")
    default_detail = _("Slot ini belum dibuka atau sudah ditutup untuk pemesanan.")


class EmailNotVerified(InvalidInput):
    code = "email_not_verified"
    title = _("E-mail belum diverifikasi")
    default_detail = _(
        "Verifikasi alamat e-mail Anda lebih dulu: buka tautan yang kami kirim ke e-mail Anda."
    )


class SlotClosed(InvalidInput):
    code = "slot_closed"
    title = _("Slot ditutup")
    default_detail = _("Slot ini sudah lewat atau ditutup.")


class SlotNotFound(NotFound):
    code = "unknown_slot"
    title = _("Slot tidak ditemukan")
    default_detail = _("Slot itu tidak ada.")


class NotCancellable(Conflict):
    code = "not_cancellable"
    title = _("Tidak dapat dibatalkan")
    default_detail = _("Pemesanan ini tidak dapat dibatalkan atau diubah lagi.")


class WrongService(InvalidInput):
    code = "wrong_service"
    title = _("Layanan berbeda")
    default_detail = _("Jadwal hanya dapat dipindah ke slot layanan yang sama.")


class NotACitizen(DomainError):
    code = "not_a_citizen"
    status = 403
    title = _("Bukan akun warga")
    default_detail = _("Hanya akun warga yang dapat memesan.")
