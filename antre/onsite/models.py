"""Tickets (nomor antrean) issued at the site, and the record of what happened to them."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antre.core import clock


def new_public_id() -> str:
    """The id behind a ticket's QR: 128 random bits, URL-safe, not enumerable."""
    return secrets.token_urlsafe(16)


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Menunggu")
    CALLED = "called", _("Dipanggil")
    SERVING = "serving", _("Dilayani")
    DONE = "done", _("Selesai")
    NO_SHOW = "no_show", _("Tidak hadir")
    TRANSFERRED = "transferred", _("Dialihkan")


class Priority(models.TextChoices):
    NONE = "", _("Umum")
    ELDERLY = "elderly", _("Lansia")
    DISABLED = "disabled", _("Penyandang disabilitas")
    PREGNANT = "pregnant", _("Ibu hamil")


class Ticket(models.Model):
    """A queue number for one service at one site on one day (``A-012``).

    ``sequence`` is the daily sequence per site and service; the unique
    constraint makes a repeated number impossible even under concurrent issue.
    ``queued_at`` is when the ticket joined its present queue in line: a
    transferred ticket keeps the original issue time and so its place.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    site = models.ForeignKey(
        "catalog.Site", verbose_name=_("gerai"), on_delete=models.PROTECT, related_name="tickets"
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("layanan"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    service_date = models.DateField(_("tanggal"), help_text=_("Tanggal setempat di gerai."))
    prefix = models.CharField(_("awalan"), max_length=2)
    sequence = models.PositiveIntegerField(_("urutan"))
    booking = models.ForeignKey(
        "booking.Booking",
        verbose_name=_("pemesanan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    priority = models.CharField(
        _("prioritas"), max_length=20, choices=Priority.choices, default=Priority.NONE, blank=True
    )
    issued_at = models.DateTimeField(_("dikeluarkan"), default=clock.now)
    queued_at = models.DateTimeField(_("masuk antrean"), default=clock.now)
    called_at = models.DateTimeField(_("dipanggil"), null=True, blank=True)
    started_at = models.DateTimeField(_("mulai dilayani"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    counter = models.ForeignKey(
        "catalog.Counter",
        verbose_name=_("loket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    recall_count = models.PositiveIntegerField(_("jumlah panggilan ulang"), default=0)
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers"
    )

    class Meta:
        verbose_name = _("nomor antrean")
        verbose_name_plural = _("nomor antrean")
        ordering = ["service_date", "queued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "service", "service_date", "sequence"],
                name="ticket_number_unique_per_day",
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="ticket_sequence_positive"),
        ]
        indexes = [models.Index(fields=["site", "service_date", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.prefix}-{self.sequence:03d}"
