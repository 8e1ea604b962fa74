"""The waiting list: citizens who found every seat taken up to their deadline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antre.core.models import TimestampedModel


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Menunggu")
    OFFERED = "offered", _("Ditawari")
    BOOKED = "booked", _("Mendapat slot")
    EXPIRED = "expired", _("Lewat tenggat")
    WITHDRAWN = "withdrawn", _("Ditarik")


class WaitlistEntry(TimestampedModel):
    """A citizen waiting for a seat of one service, at any of ``sites``, on a day
    between ``earliest`` and ``latest``; ``latest`` is their deadline (the day
    their licence expires, say). Entries are served earliest deadline first,
    then first come (``created_at``)."""

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
        ]
        indexes = [models.Index(fields=["service", "status", "latest", "created_at"])]

    def __str__(self) -> str:
        return f"{self.service} ≤ {self.latest}"
