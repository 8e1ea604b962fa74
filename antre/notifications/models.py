"""The outbox: every message the system sends is a row here first, written in
the same transaction as the change it announces, and delivered by the worker
at least once with backoff."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from antre.core import clock


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class OutboxMessage(models.Model):
    """One message to one recipient.

    ``message_id`` is fixed when the row is written and sent as the e-mail's
    Message-ID, so a retry after a timeout is recognisably the same message.
    Delivery claims the row with a status-guarded UPDATE (STYLE.md rule 4).

    A message is either rendered when queued (``rendered_at`` set) or queued
    with only its ``kind`` and ``context`` and rendered by its first delivery
    attempt, which then stores subject, bodies and attachments: rendering a
    booking e-mail costs ~17 ms (the QR PNG alone ~7 ms), too much to spend
    inside the booking transaction. Every retry sends the stored content.
    """

    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(
        _("jenis"), max_length=60, help_text=_("Templat pesan, mis. booking_confirmed.")
    )
    recipient = models.CharField(_("penerima"), max_length=254)
    subject = models.CharField(_("subjek"), max_length=300, blank=True)
    body_text = models.TextField(_("isi"), blank=True)
    body_html = models.TextField(_("isi HTML"), blank=True)
    attachments = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Lampiran: [{filename, content_type, content_b64, cid?}]."),
    )
    context = models.JSONField(
        _("konteks"),
        default=dict,
        blank=True,
        help_text=_(
            "Data untuk menyusun pesan pada percobaan kirim pertama, mis. "
            '{"booking": 12, "slot": 40}; kosong bila pesan sudah disusun saat diantrekan.'
        ),
    )
    rendered_at = models.DateTimeField(
        _("disusun"),
        null=True,
        blank=True,
        help_text=_("Kapan subjek, isi dan lampiran ditulis; sesudahnya tidak berubah lagi."),
    )
    status = models.CharField(
        max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("pesan keluar")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"
