from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from antre.core import clock


class TimestampedModel(models.Model):
    """Rows that remember when they were made and last changed, by the one clock."""

    created_at = models.DateTimeField(_("dibuat"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("diubah"), default=clock.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = clock.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)


class AuditEvent(models.Model):
    """Who did what, when, to what. Append-only: never updated, never deleted by the app.

    ``site_id``/``agency_id`` are copied onto the row so that the back office
    can scope the log by role without joining through whatever the target was.
    """

    at = models.DateTimeField(_("waktu"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(
        _("label pelaku"),
        max_length=150,
        blank=True,
        help_text=_("Nama pelaku saat itu; tetap ada bila akunnya dihapus (atau 'sistem')."),
    )
    action = models.CharField(_("tindakan"), max_length=80, db_index=True)
    target_type = models.CharField(_("jenis objek"), max_length=80, blank=True)
    target_id = models.CharField(_("id objek"), max_length=64, blank=True)
    site = models.ForeignKey(
        "catalog.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(
        "catalog.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(_("rincian"), default=dict, blank=True)

    class Meta:
        verbose_name = _("catatan audit")
        verbose_name_plural = _("catatan audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action}"


class PeriodicJob(models.Model):
    """When a periodic job (slot materialisation, reminders, expiries) is next due.

    Any number of workers may tick; a job runs only in the worker whose
    status-guarded UPDATE moved ``next_run_at`` forward (STYLE.md rule 4)."""

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField(default=clock.now)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("tugas berkala")
        verbose_name_plural = _("tugas berkala")

    def __str__(self) -> str:
        return self.name


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an ``Idempotency-Key``, kept 24 h.

    Written in the same transaction as what the request created, so either
    both exist or neither: a retry after a lost response finds the record and
    gets the first answer; a retry after a crash finds nothing and runs anew.
    """

    RETENTION = dt.timedelta(hours=24)

    # No index of its own: the unique (user, key) index leads with it. None
    # for an anonymous request to an operation that keeps keys without a
    # token (registration): its keys are unique among the anonymous ones.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        null=True,
        blank=True,
    )
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(
        max_length=64,
        help_text=_(
            "SHA-256 dari metode, alamat dan isi permintaan: kunci yang sama untuk "
            "permintaan lain ditolak."
        ),
    )
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("kunci idempotensi")
        verbose_name_plural = _("kunci idempotensi")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(user__isnull=True),
                name="idempotency_key_anonymous",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
