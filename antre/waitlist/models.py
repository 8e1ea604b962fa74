"""The waiting list: citizens who found every seat taken up to their deadline,
and the seats offered to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antre.core import clock
from antre.core.models import TimestampedModel


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Menunggu")
    OFFERED = "offered", _("Ditawari")
    BOOKED = "booked", _("Mendapat slot")
    EXPIRED = "expired", _("Lewat tenggat")
    WITHDRAWN = "withdrawn", _("Ditarik")


class WaitlistKind(models.TextChoices):
    DEADLINE = "deadline", _("Sebelum tenggat")
    EARLIER_SEAT = "earlier_seat", _("Jadwal lebih awal")


class WaitlistEntry(TimestampedModel):
    """A citizen waiting for a seat of one service, at any of ``sites``, on a day
    between ``earliest`` and ``latest``; ``latest`` is their deadline (the day
    their licence expires, say). Deadline entries are served earliest deadline
    first, then first come (``created_at``); earlier-seat entries (a citizen
    who holds ``booking`` and would take an earlier one) come after them."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("warga"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="waitlist_entries",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("layanan"),
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
    )
    kind = models.CharField(
        _("jenis"), max_length=20, choices=WaitlistKind.choices, default=WaitlistKind.DEADLINE
    )
    booking = models.ForeignKey(
        "booking.Booking",
        verbose_name=_("pemesanan yang dimajukan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="earlier_seat_requests",
    )
    sites = models.ManyToManyField("catalog.Site", verbose_name=_("gerai"), related_name="+")
    earliest = models.DateField(_("paling cepat"))
    latest = models.DateField(_("tenggat"), help_text=_("Tanggal terakhir yang masih berguna."))
    auto_book = models.BooleanField(
        _("pesan otomatis"),
        default=False,
        help_text=_("Langsung dipesankan saat kursi tersedia, bukan ditawarkan dulu."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )

    class Meta:
        verbose_name = _("daftar tunggu")
        verbose_name_plural = _("daftar tunggu")
        ordering = ["latest", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(earliest__lte=F("latest")), name="waitlist_range"),
            # One open place on the list per citizen and service.
            models.UniqueConstraint(
                fields=["citizen", "service"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_per_service",
            ),
        ]
        indexes = [models.Index(fields=["service", "status", "latest", "created_at"])]

    def __str__(self) -> str:
        return f"{self.service} ≤ {self.latest}"


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Berlaku")
    ACCEPTED = "accepted", _("Diterima")
    EXPIRED = "expired", _("Kedaluwarsa")
    WITHDRAWN = "withdrawn", _("Ditarik")


class Offer(models.Model):
    """A seat of ``slot`` held for one waiting-list entry until ``expires_at``.

    While open the seat counts in ``Slot.held`` and nobody else can book it.
    Accepting and expiring are status-guarded UPDATEs (open -> accepted /
    expired), so an offer is accepted or passed on exactly once."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    slot = models.ForeignKey("booking.Slot", on_delete=models.CASCADE, related_name="offers")
    status = models.CharField(max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(
        "booking.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("tawaran kursi")
        verbose_name_plural = _("tawaran kursi")
        constraints = [
            # An entry is offered a given slot once: after it expires the seat
            # moves on to the next entry instead of coming back.
            models.UniqueConstraint(fields=["entry", "slot"], name="offer_once_per_slot"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.slot_id} ({self.status})"
