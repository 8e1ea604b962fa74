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


class ReleaseRoundStatus(models.TextChoices):
    OPEN = "open", _("Menerima permintaan")
    DRAWN = "drawn", _("Sudah diundi")


class ReleaseRound(models.Model):
    """The fair release of one day of a high-demand service at one site: while
    the request window (``opens_at`` to ``closes_at``) runs, the day's seats are
    not bookable first-come; citizens ask for one (``ReleaseRequest``), and at
    the window's end the seats go first to requests by deadline, then by a
    lottery whose ``seed`` and ordered ``request_ids`` are recorded here, so
    anyone can recompute the draw (``antre.waitlist.lottery``).

    Created by the first request of the day; a day nobody asked for has no
    round and opens to the public when its window closes."""

    site_service = models.ForeignKey(
        "catalog.SiteService",
        verbose_name=_("layanan di gerai"),
        on_delete=models.PROTECT,
        related_name="release_rounds",
    )
    day = models.DateField(_("hari layanan"), help_text=_("Tanggal setempat di gerai."))
    opens_at = models.DateTimeField(_("masa permintaan dibuka"))
    closes_at = models.DateTimeField(_("masa permintaan ditutup"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReleaseRoundStatus.choices,
        default=ReleaseRoundStatus.OPEN,
    )
    seed = models.CharField(
        _("benih undian"), max_length=64, blank=True, help_text=_("Dari modul secrets, hex.")
    )
    request_ids = models.JSONField(
        _("urutan permintaan yang diundi"),
        default=list,
        blank=True,
        help_text=_("Nomor permintaan dalam urutan masukan undian (naik)."),
    )
    seats = models.PositiveIntegerField(_("kursi yang dibagi"), default=0)
    drawn_at = models.DateTimeField(_("diundi pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("putaran undian kursi")
        verbose_name_plural = _("putaran undian kursi")
        ordering = ["-day", "site_service_id"]
        constraints = [
            models.UniqueConstraint(fields=["site_service", "day"], name="release_round_unique"),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return f"{self.site_service} {self.day}"


class ReleaseOutcome(models.TextChoices):
    PENDING = "pending", _("Menunggu undian")
    WON = "won", _("Mendapat kursi")
    LOST = "lost", _("Belum mendapat kursi")
    WITHDRAWN = "withdrawn", _("Ditarik")


class ReleaseVia(models.TextChoices):
    DEADLINE = "deadline", _("Tenggat")
    LOTTERY = "lottery", _("Undian")
    SKIPPED = "skipped", _("Dilewati: tidak dapat dipesankan")


class ReleaseRequest(models.Model):
    """One citizen's request for a seat of a round's day. One per NIK (its
    HMAC, so a second account of the same person cannot enter twice) per
    service and day, whatever the site or agency: ``service`` and ``day`` are
    copied from the round for that constraint."""

    round = models.ForeignKey(ReleaseRound, on_delete=models.CASCADE, related_name="requests")
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("warga"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="release_requests",
    )
    nik_digest = models.CharField(_("sidik NIK"), max_length=64, editable=False)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("layanan"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("hari layanan"))
    created_at = models.DateTimeField(_("diajukan"), default=clock.now)
    outcome = models.CharField(
        _("hasil"), max_length=20, choices=ReleaseOutcome.choices, default=ReleaseOutcome.PENDING
    )
    via = models.CharField(_("melalui"), max_length=20, choices=ReleaseVia.choices, blank=True)
    deadline = models.DateField(
        _("tenggat yang didahulukan"),
        null=True,
        blank=True,
        help_text=_("Tenggat daftar tunggu yang jatuh pada/sebelum hari ini, saat diundi."),
    )
    rank = models.PositiveIntegerField(_("urutan undian"), null=True, blank=True)
    booking = models.ForeignKey(
        "booking.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(_("diberi tahu"), null=True, blank=True)

    class Meta:
        verbose_name = _("permintaan kursi")
        verbose_name_plural = _("permintaan kursi")
        ordering = ["round", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nik_digest", "service", "day"],
                condition=~Q(outcome="withdrawn"),
                name="release_request_one_per_nik",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.pk} ({self.outcome})"
