"""What happens at the site: tickets (nomor antrean), their daily numbering
and walk-in quota, counter shifts, the record of every ticket event, and the
board events that drive the display boards and live ticket pages, and the
kiosks at the door with their ticket printers."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antre.core import clock
from antre.core.models import TimestampedModel


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


OPEN_TICKET_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


class Priority(models.TextChoices):
    NONE = "", _("Umum")
    ELDERLY = "elderly", _("Lansia")
    DISABLED = "disabled", _("Penyandang disabilitas")
    PREGNANT = "pregnant", _("Ibu hamil")


class TicketKind(models.TextChoices):
    APPOINTMENT = "appointment", _("Dengan janji")
    WALK_IN = "walk_in", _("Tanpa janji")


class ServiceDay(models.Model):
    """Per site, service and local date: the last ticket sequence issued and the
    walk-in quota used. Both counters only move by guarded UPDATEs
    (``antre.core.locking``); the row is the lock that serialises numbering."""

    site = models.ForeignKey("catalog.Site", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    last_sequence = models.PositiveIntegerField(default=0)
    walk_ins_issued = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hari layanan")
        verbose_name_plural = _("hari layanan")
        constraints = [
            models.UniqueConstraint(fields=["site", "service", "date"], name="service_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.service_id} {self.date}"


class SiteDay(models.Model):
    """Per site and local date: how many people are inside the room now. Taking a
    place is a guarded UPDATE against the site's room capacity."""

    site = models.ForeignKey("catalog.Site", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    inside = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hari gerai")
        verbose_name_plural = _("hari gerai")
        constraints = [
            models.UniqueConstraint(fields=["site", "date"], name="site_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.date}: {self.inside}"


class Ticket(models.Model):
    """A queue number for one service at one site on one day (``A-012``).

    ``sequence`` is the daily sequence per site and service; the unique
    constraint makes a repeated number impossible even under concurrent issue.
    ``queued_at`` orders the queue: a transferred ticket keeps the original
    issue time and so its place. ``admitted_at`` is when the ticket was let
    into the room (at once when there was room, else when a place freed);
    ``left_at`` when its place was given back.
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
    kind = models.CharField(_("jenis"), max_length=20, choices=TicketKind.choices)
    booking = models.ForeignKey(
        "booking.Booking",
        verbose_name=_("pemesanan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    due_at = models.DateTimeField(
        _("didahulukan mulai"),
        null=True,
        blank=True,
        help_text=_("Untuk pemegang janji: sejak kapan didahulukan dari pengunjung tanpa janji."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    priority = models.CharField(
        _("prioritas"), max_length=20, choices=Priority.choices, default=Priority.NONE, blank=True
    )
    issued_at = models.DateTimeField(_("dikeluarkan"), default=clock.now)
    queued_at = models.DateTimeField(_("masuk antrean"), default=clock.now)
    admitted_at = models.DateTimeField(_("dipersilakan masuk"), null=True, blank=True)
    left_at = models.DateTimeField(_("keluar ruangan"), null=True, blank=True)
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
    transferred_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transferred_to",
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
            # A booking becomes at most one ticket (a transfer makes a new
            # ticket without the booking).
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(booking__isnull=False),
                name="ticket_one_per_booking",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "service_date", "status"]),
            models.Index(fields=["site", "service", "service_date", "status"]),
            # The few tickets not yet at an end, for closing past days.
            models.Index(
                fields=["service_date"],
                condition=Q(status__in=["waiting", "called", "serving"]),
                name="ticket_open",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.prefix}-{self.sequence:03d}"

    @property
    def is_inside(self) -> bool:
        return self.admitted_at is not None and self.left_at is None


class TicketEventKind(models.TextChoices):
    ISSUED = "issued", _("Dikeluarkan")
    ADMITTED = "admitted", _("Dipersilakan masuk")
    CALLED = "called", _("Dipanggil")
    RECALLED = "recalled", _("Dipanggil ulang")
    STARTED = "started", _("Mulai dilayani")
    FINISHED = "finished", _("Selesai")
    NO_SHOW = "no_show", _("Tidak hadir")
    TRANSFERRED = "transferred", _("Dialihkan")
    # Left open when its day ended, closed by the system (services.close_past_days).
    CLOSED = "closed", _("Ditutup akhir hari")


class TicketEvent(models.Model):
    """One thing that happened to a ticket. Append-only; reports are computed
    from these rows (waiting time = called - issued, service time = finished -
    started), so they stay right when a ticket's own fields move on."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=TicketEventKind.choices)
    at = models.DateTimeField(default=clock.now)
    site = models.ForeignKey("catalog.Site", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    counter = models.ForeignKey(
        "catalog.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("peristiwa antrean")
        verbose_name_plural = _("peristiwa antrean")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["site", "at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%H:%M:%S}"


class CounterShift(models.Model):
    """An officer working a counter: open while ``closed_at`` is empty; a paused
    counter is open but calls nobody."""

    counter = models.ForeignKey("catalog.Counter", on_delete=models.CASCADE, related_name="shifts")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=clock.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("giliran loket")
        verbose_name_plural = _("giliran loket")
        constraints = [
            models.UniqueConstraint(
                fields=["counter"], condition=Q(closed_at__isnull=True), name="one_open_shift"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counter_id} {self.opened_at:%Y-%m-%d %H:%M}"


class BoardEvent(models.Model):
    """An event for a site's display board and live ticket pages; the source of
    truth of the event stream. Its id is the SSE event id, so a board that
    reconnects with ``Last-Event-ID`` replays exactly what it missed."""

    site = models.ForeignKey("catalog.Site", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("peristiwa papan")
        verbose_name_plural = _("peristiwa papan")
        indexes = [models.Index(fields=["site", "id"])]

    def __str__(self) -> str:
        return f"{self.site_id} #{self.pk} {self.kind}"


class PaperWidth(models.IntegerChoices):
    MM_58 = 58, _("58 mm")
    MM_80 = 80, _("80 mm")


class PrinterKind(models.TextChoices):
    NONE = "none", _("Tanpa printer (nomor hanya di layar)")
    BROWSER = "browser", _("Printer peramban (dicetak oleh Chromium)")
    NETWORK = "network", _("Printer ESC/POS jaringan (TCP)")
    FILE = "file", _("Printer ESC/POS USB atau berkas perangkat")


ESC_POS_PRINTER_KINDS = (PrinterKind.NETWORK, PrinterKind.FILE)


class Kiosk(TimestampedModel):
    """A kiosk device at a site's door and its ticket printer.

    The device logs in once with its own account (role ``kiosk`` at the
    site). A site admin standing in at a kiosk has no row here: the kiosk pages
    then print through the browser on 80 mm paper, the defaults below.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("akun perangkat"),
        on_delete=models.CASCADE,
        related_name="kiosk",
        help_text=_("Akun yang dipakai perangkat kiosk untuk masuk (peran perangkat kiosk)."),
    )
    site = models.ForeignKey(
        "catalog.Site",
        verbose_name=_("gerai"),
        on_delete=models.CASCADE,
        related_name="kiosks",
        help_text=_("Gerai tempat kiosk ini berdiri; kiosk hanya mengeluarkan nomor gerai ini."),
    )
    name = models.CharField(
        _("nama"),
        max_length=100,
        help_text=_("Nama yang dikenali petugas, mis. 'Kiosk pintu utama'."),
    )
    paper_width = models.PositiveSmallIntegerField(
        _("lebar kertas"),
        choices=PaperWidth.choices,
        default=PaperWidth.MM_80,
        help_text=_("Lebar gulungan kertas struk printer kiosk."),
    )
    printer_kind = models.CharField(
        _("jenis printer"),
        max_length=20,
        choices=PrinterKind.choices,
        default=PrinterKind.BROWSER,
        help_text=_(
            "Peramban: Chromium mencetak halaman tiket ke printer bawaannya. "
            "Jaringan: printer ESC/POS di alamat dan port di bawah. "
            "USB/berkas: printer ESC/POS di berkas perangkat di bawah."
        ),
    )
    printer_host = models.CharField(
        _("alamat printer"),
        max_length=255,
        blank=True,
        help_text=_("Untuk printer jaringan: nama host atau alamat IP, mis. 192.168.1.50."),
    )
    printer_port = models.PositiveIntegerField(
        _("port printer"),
        default=9100,
        validators=[MinValueValidator(1), MaxValueValidator(65535)],
        help_text=_("Untuk printer jaringan: port TCP mentah, biasanya 9100."),
    )
    printer_path = models.CharField(
        _("berkas perangkat printer"),
        max_length=255,
        blank=True,
        help_text=_("Untuk printer USB: berkas perangkatnya, mis. /dev/usb/lp0."),
    )

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosk")
        ordering = ["site", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(printer_kind=PrinterKind.NETWORK) | ~Q(printer_host=""),
                name="kiosk_network_printer_has_host",
            ),
            models.CheckConstraint(
                condition=~Q(printer_kind=PrinterKind.FILE) | ~Q(printer_path=""),
                name="kiosk_file_printer_has_path",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.site}" if self.site_id else self.name

    def clean(self) -> None:
        if self.printer_kind == PrinterKind.NETWORK and not self.printer_host:
            raise ValidationError(
                {"printer_host": _("Isi alamat printer jaringan.")}, code="required"
            )
        if self.printer_kind == PrinterKind.FILE and not self.printer_path:
            raise ValidationError(
                {"printer_path": _("Isi berkas perangkat printer.")}, code="required"
            )

    @property
    def uses_escpos(self) -> bool:
        return self.printer_kind in ESC_POS_PRINTER_KINDS
