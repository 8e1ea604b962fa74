"""Bookable slots and the bookings that take their seats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antre.core import clock
from antre.core.models import TimestampedModel


def public_seats_left(
    *, is_open: bool, capacity: int, overbook: int, booked: int, held: int, reserved: int
) -> int:
    """Seats of a slot the public can still book: none when it is closed, and
    never the deadline reserve nor seats held for waiting-list offers.
    ``Slot.remaining`` and the column-only reads of slots both answer with
    this, so the rule lives here once."""
    if not is_open:
        return 0
    return max(capacity + overbook - booked - held - reserved, 0)


class Slot(models.Model):
    """A bookable time at one service of one site, with a number of seats.

    ``booked`` counts active bookings and is only ever changed by a guarded
    UPDATE (``booked = booked + 1 WHERE booked < capacity``, see
    ``antre.core.locking``); the check constraints are a backstop, not the
    mechanism.

    Two policy counters shape the guard (``antre.booking.policy``): seats
    go up to ``capacity + overbook``; of those, ``reserved`` are kept from the
    public for citizens whose deadline is near until the reserve is released.
    The public guard is ``booked + held + reserved < capacity + overbook``,
    the reserve-eligible one ``booked + held < capacity + overbook``, and an
    eligible booking takes its seat out of the reserve first (``reserved``
    counts the reserve still unused), so the public's share stays whole.

    Slots are materialised from schedule rules; a slot that no rule
    produces any more but still holds bookings is kept with ``is_open=False``.
    """

    site_service = models.ForeignKey(
        "catalog.SiteService",
        verbose_name=_("layanan di gerai"),
        on_delete=models.PROTECT,
        related_name="slots",
    )
    rule = models.ForeignKey(
        "catalog.ScheduleRule",
        verbose_name=_("aturan jadwal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="slots",
        help_text=_("Aturan yang menghasilkan slot ini; kosong bila dibuat manual."),
    )
    start = models.DateTimeField(_("mulai"))
    end = models.DateTimeField(_("selesai"))
    capacity = models.PositiveIntegerField(_("kapasitas"))
    booked = models.PositiveIntegerField(_("terpesan"), default=0)
    held = models.PositiveIntegerField(
        _("ditahan untuk daftar tunggu"),
        default=0,
        help_text=_(
            "Kursi yang sedang ditawarkan kepada warga di daftar tunggu; tidak dapat "
            "dipesan orang lain selama tawaran berlaku."
        ),
    )
    reserved = models.PositiveIntegerField(
        _("cadangan tenggat"),
        default=0,
        help_text=_(
            "Kursi yang disisihkan bagi warga dengan tenggat dekat; menjadi 0 saat cadangan "
            "dilepas."
        ),
    )
    overbook = models.PositiveIntegerField(
        _("pemesanan lebih"),
        default=0,
        help_text=_("Kursi yang boleh dipesan di atas kapasitas (perkiraan ketidakhadiran)."),
    )
    is_open = models.BooleanField(
        _("dibuka"),
        default=True,
        help_text=_("Slot tertutup tidak menerima pemesanan baru; pemesanan yang ada tetap."),
    )

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slot")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["site_service", "start"], name="slot_unique_start"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity") + F("overbook") - F("held")),
                name="slot_not_oversold",
            ),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="slot_range"),
        ]

    def __str__(self) -> str:
        local = self.start.astimezone(self.site_service.site.tzinfo)
        return f"{self.site_service} {local:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        """Seats the public can still book (the reserve excluded)."""
        return public_seats_left(
            is_open=self.is_open,
            capacity=self.capacity,
            overbook=self.overbook,
            booked=self.booked,
            held=self.held,
            reserved=self.reserved,
        )

    @property
    def remaining_for_reserve(self) -> int:
        """Seats a citizen whose deadline is near can still book."""
        if not self.is_open:
            return 0
        return max(self.capacity + self.overbook - self.booked - self.held, 0)


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Terkonfirmasi")
    CANCELLED = "cancelled", _("Dibatalkan")
    CHECKED_IN = "checked_in", _("Sudah check-in")
    NO_SHOW = "no_show", _("Tidak hadir")
    COMPLETED = "completed", _("Selesai")


ACTIVE_BOOKING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


class CancelReason(models.TextChoices):
    NONE = "", _("Dibatalkan warga atau petugas")
    RELEASED = "released", _("Dilepas warga lewat tautan konfirmasi")
    UNCONFIRMED = "unconfirmed", _("Tidak dikonfirmasi sebelum batas waktu")
    SCHEDULE_CHANGE = "schedule_change", _("Jadwal diubah gerai")


class Booking(TimestampedModel):
    """A citizen's seat in a slot. ``site`` and ``service`` are copied from the
    slot so that the one-active-booking-per-service rule can be a database
    constraint and role-scoped lists need no joins."""

    code = models.CharField(_("kode pemesanan"), max_length=9, unique=True, editable=False)
    # No single-column index for citizen or slot: the composite indexes
    # below lead with them and serve every lookup by either (one index less
    # to write per booking, on the hot path of a booking rush).
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("warga"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
        db_index=False,
        help_text=_("Kosong bila akun warga telah dihapus (pemesanan disimpan anonim)."),
    )
    slot = models.ForeignKey(
        Slot,
        verbose_name=_("slot"),
        on_delete=models.PROTECT,
        related_name="bookings",
        db_index=False,
    )
    site = models.ForeignKey(
        "catalog.Site", verbose_name=_("gerai"), on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("layanan"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    cancelled_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("check-in"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("pengingat terkirim"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("alasan pembatalan"),
        max_length=20,
        choices=CancelReason.choices,
        default=CancelReason.NONE,
        blank=True,
    )
    attendance_requested_at = models.DateTimeField(
        _("konfirmasi kehadiran diminta"),
        null=True,
        blank=True,
        help_text=_("Kapan e-mail konfirmasi-atau-lepas untuk slot saat ini diantrekan."),
    )
    attendance_confirmed_at = models.DateTimeField(
        _("kehadiran dikonfirmasi"), null=True, blank=True
    )
    # Written True by a booking whose audit row, confirmation e-mail and
    # waiting-list follow-up are left to the worker (antre.booking.announce);
    # the worker sets it False in the transaction that writes them.
    announce_pending = models.BooleanField(
        _("menunggu diumumkan"), default=False, db_default=False, editable=False
    )

    class Meta:
        verbose_name = _("pemesanan")
        verbose_name_plural = _("pemesanan")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "service"],
                condition=Q(status__in=["confirmed", "checked_in"]),
                name="booking_one_active_per_service",
            ),
        ]
        indexes = [
            models.Index(fields=["slot", "status"]),
            models.Index(fields=["citizen", "status"]),
            # Only the few bookings the worker has not announced yet.
            models.Index(
                fields=["id"],
                condition=Q(announce_pending=True),
                name="booking_announce_pending",
            ),
            # Confirmed bookings (the coming ones, few), for marking those
            # whose check-in window closed (services.mark_missed_bookings).
            models.Index(
                fields=["slot"], condition=Q(status="confirmed"), name="booking_confirmed"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_BOOKING_STATUSES

    @property
    def display_code(self) -> str:
        from antre.core.codes import format_code

        return format_code(self.code)


__all__ = [
    "ACTIVE_BOOKING_STATUSES",
    "Booking",
    "BookingStatus",
    "CancelReason",
    "Slot",
    "clock",
]
