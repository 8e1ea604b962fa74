"""Where and what: sites (gerai), agencies (instansi), services (layanan),
which service is offered where, counters (loket), opening hours, closures and
the schedule rules from which bookable slots are materialised."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antre.core.models import TimestampedModel


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("%(value)s bukan zona waktu IANA."), params={"value": value}
        ) from None


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Senin")
    TUESDAY = 1, _("Selasa")
    WEDNESDAY = 2, _("Rabu")
    THURSDAY = 3, _("Kamis")
    FRIDAY = 4, _("Jumat")
    SATURDAY = 5, _("Sabtu")
    SUNDAY = 6, _("Minggu")


class Site(TimestampedModel):
    """A place where citizens are served: the MPP hall, a licensing office, a
    mall outlet, a kecamatan office."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    timezone = models.CharField(
        _("zona waktu"),
        max_length=40,
        default="Asia/Jakarta",
        validators=[validate_timezone],
        help_text=_(
            "Zona waktu IANA gerai: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)."
        ),
    )
    room_capacity = models.PositiveIntegerField(
        _("kapasitas ruang"),
        default=50,
        help_text=_(
            "Berapa orang boleh berada di dalam ruang tunggu sekaligus; "
            "selebihnya menunggu di luar sampai dipanggil masuk."
        ),
    )
    checkin_opens_minutes = models.PositiveIntegerField(
        _("check-in dibuka (menit sebelum)"),
        default=30,
        help_text=_("Berapa menit sebelum jam janji check-in di kiosk sudah diterima."),
    )
    checkin_closes_minutes = models.PositiveIntegerField(
        _("check-in ditutup (menit sesudah)"),
        default=15,
        help_text=_("Berapa menit sesudah jam janji check-in masih diterima."),
    )
    appointment_due_minutes = models.PositiveIntegerField(
        _("janji dianggap tiba waktunya (menit sebelum)"),
        default=10,
        help_text=_(
            "Pemegang janji didahulukan mulai sekian menit sebelum jam slotnya; "
            "sebelum itu mereka mengantre di belakang pengunjung tanpa janji."
        ),
    )
    walk_in_share = models.PositiveIntegerField(
        _("jatah panggilan tanpa janji (tiap N panggilan)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Bila ada pengunjung tanpa janji menunggu, paling lambat setiap panggilan "
            "ke-N diberikan kepada mereka, agar tidak ada yang menunggu tanpa akhir."
        ),
    )
    no_show_after_recalls = models.PositiveIntegerField(
        _("tandai tidak hadir setelah (panggilan ulang)"),
        default=2,
        help_text=_(
            "Petugas baru dapat menandai 'tidak hadir' setelah sekian kali memanggil ulang."
        ),
    )
    is_active = models.BooleanField(
        _("aktif"), default=True, help_text=_("Gerai nonaktif tidak tampil bagi warga.")
    )

    class Meta:
        verbose_name = _("gerai")
        verbose_name_plural = _("gerai")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Agency(TimestampedModel):
    """A government body that offers services at the MPP (Dukcapil, Polres, Samsat, ...)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(
        _("nama singkat"), max_length=60, blank=True, help_text=_("Mis. 'Dukcapil', 'Polres'.")
    )

    class Meta:
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


ticket_prefix_validator = RegexValidator(
    r"^[A-Z]{1,2}$", _("Awalan nomor antrean: satu atau dua huruf kapital.")
)


class Service(TimestampedModel):
    """A service (layanan) of one agency, such as KTP-el recording or SIM renewal."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="services"
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True)
    ticket_prefix = models.CharField(
        _("awalan nomor antrean"),
        max_length=2,
        validators=[ticket_prefix_validator],
        help_text=_("Huruf di depan nomor antrean (A-012). Gerai dapat menggantinya."),
    )
    duration_minutes = models.PositiveIntegerField(
        _("lama layanan (menit)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
        help_text=_("Lama pelayanan yang lazim untuk satu pemohon."),
    )
    requirements = models.JSONField(
        _("persyaratan"),
        default=list,
        blank=True,
        help_text=_("Dokumen yang harus dibawa, satu per baris (daftar JSON berisi teks)."),
    )
    booking_opens_days = models.PositiveIntegerField(
        _("pemesanan dibuka (hari sebelum)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("Berapa hari sebelumnya sebuah slot mulai bisa dipesan."),
    )
    booking_closes_minutes = models.PositiveIntegerField(
        _("pemesanan ditutup (menit sebelum)"),
        default=60,
        help_text=_("Berapa menit sebelum slot dimulai pemesanan ditutup."),
    )
    changes_close_minutes = models.PositiveIntegerField(
        _("batas batal/ubah jadwal (menit sebelum)"),
        default=120,
        help_text=_(
            "Sampai berapa menit sebelum slot warga masih boleh membatalkan atau memindah jadwal."
        ),
    )
    waitlist_offer_hours = models.PositiveIntegerField(
        _("tawaran daftar tunggu berlaku (jam)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_(
            "Berapa jam kursi yang lowong ditahan untuk warga di daftar tunggu sebelum "
            "ditawarkan kepada warga berikutnya."
        ),
    )
    walk_in_allowed = models.BooleanField(
        _("menerima tanpa janji"),
        default=True,
        help_text=_("Apakah kiosk boleh mengeluarkan nomor antrean tanpa pemesanan."),
    )
    walk_in_daily_quota = models.PositiveIntegerField(
        _("kuota harian tanpa janji"),
        default=20,
        help_text=_("Nomor tanpa janji per gerai per hari; gerai dapat menggantinya."),
    )
    reserve_percent = models.PositiveSmallIntegerField(
        _("cadangan tenggat (%)"),
        default=0,
        validators=[MaxValueValidator(90)],
        help_text=_(
            "Bagian kursi setiap slot yang disisihkan bagi warga yang tenggatnya dekat "
            "(di daftar tunggu); 0 = tanpa cadangan. Dibulatkan ke bawah per slot."
        ),
    )
    reserve_window_days = models.PositiveSmallIntegerField(
        _("cadangan untuk tenggat dalam (hari)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_(
            "Warga yang tenggatnya jatuh dalam sekian hari dari hari ini boleh memakai "
            "kursi cadangan."
        ),
    )
    reserve_release_hours = models.PositiveSmallIntegerField(
        _("cadangan dilepas (jam sebelum hari layanan)"),
        default=24,
        validators=[MaxValueValidator(720)],
        help_text=_(
            "Sekian jam sebelum hari slot dimulai (tengah malam di gerai), kursi cadangan "
            "yang belum terpakai dibuka untuk semua, lebih dulu untuk daftar tunggu."
        ),
    )
    overbook_percent = models.PositiveSmallIntegerField(
        _("pemesanan lebih (%)"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "Kursi tambahan di atas kapasitas, paling banyak sebesar tingkat ketidakhadiran "
            "terukur layanan ini (90 hari terakhir); dibulatkan ke bawah per slot."
        ),
    )
    confirmation_required = models.BooleanField(
        _("minta konfirmasi kehadiran"),
        default=False,
        help_text=_(
            "Warga diminta mengonfirmasi atau melepas pemesanannya; pemesanan yang tidak "
            "dikonfirmasi dilepas ke daftar tunggu."
        ),
    )
    confirm_working_days = models.PositiveSmallIntegerField(
        _("minta konfirmasi (hari kerja sebelum)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "Berapa hari kerja sebelum hari slot e-mail konfirmasi dikirim (pukul 08.00 di "
            "gerai); akhir pekan, libur dan penutupan gerai tidak dihitung."
        ),
    )
    confirm_release_hours = models.PositiveSmallIntegerField(
        _("lepas yang tidak dikonfirmasi (jam sebelum slot)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_(
            "Pemesanan yang belum dikonfirmasi sekian jam sebelum slotnya dibatalkan dan "
            "kursinya diberikan ke daftar tunggu."
        ),
    )
    high_demand = models.BooleanField(
        _("permintaan tinggi (undian)"),
        default=False,
        help_text=_(
            "Setiap hari baru dibuka sebagai masa permintaan, bukan siapa cepat dia dapat: "
            "kursi dibagi setelah masa itu berakhir, lebih dulu menurut tenggat, lalu diundi."
        ),
    )
    release_window_hours = models.PositiveSmallIntegerField(
        _("masa permintaan (jam)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_(
            "Berapa jam sejak hari baru dibuka warga dapat mengajukan permintaan kursi "
            "sebelum undian (hanya untuk layanan permintaan tinggi)."
        ),
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")
        ordering = ["agency__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket_prefix__regex=r"^[A-Z]{1,2}$"), name="service_prefix_letters"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.requirements, list) or not all(
            isinstance(item, str) for item in self.requirements
        ):
            raise ValidationError({"requirements": _("Persyaratan harus daftar teks.")})
        if self.pk and self.overbook_percent:
            # The measured rate is history of bookings, which live above the
            # catalogue; imported here only, to keep the apps' layering.
            from antre.booking.policy import measured_no_show_rate

            measured = measured_no_show_rate(service=self)
            if self.overbook_percent > measured.percent_floor:
                raise ValidationError(
                    {
                        "overbook_percent": _(
                            "Paling banyak %(rate)s%%: tingkat ketidakhadiran terukur "
                            "(%(no_shows)s dari %(bookings)s pemesanan, 90 hari terakhir)."
                        )
                        % {
                            "rate": measured.percent_floor,
                            "no_shows": measured.no_shows,
                            "bookings": measured.bookings,
                        }
                    }
                )
        elif not self.pk and self.overbook_percent:
            raise ValidationError(
                {"overbook_percent": _("Layanan baru belum punya riwayat ketidakhadiran.")}
            )


class SiteService(TimestampedModel):
    """A service offered at a site, with what the site overrides for it."""

    site = models.ForeignKey(
        Site, verbose_name=_("gerai"), on_delete=models.CASCADE, related_name="site_services"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("layanan"), on_delete=models.CASCADE, related_name="site_services"
    )
    ticket_prefix = models.CharField(
        _("awalan nomor antrean di gerai ini"),
        max_length=2,
        blank=True,
        validators=[ticket_prefix_validator],
        help_text=_("Kosongkan untuk memakai awalan layanan."),
    )
    walk_in_daily_quota = models.PositiveIntegerField(
        _("kuota harian tanpa janji di gerai ini"),
        null=True,
        blank=True,
        help_text=_("Kosongkan untuk memakai kuota layanan."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("layanan di gerai")
        verbose_name_plural = _("layanan di gerai")
        ordering = ["site__name", "service__name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "service"], name="site_service_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.site}"

    @property
    def effective_ticket_prefix(self) -> str:
        return self.ticket_prefix or self.service.ticket_prefix

    @property
    def effective_walk_in_quota(self) -> int:
        if self.walk_in_daily_quota is not None:
            return self.walk_in_daily_quota
        return self.service.walk_in_daily_quota

    def clean(self) -> None:
        if not self.site_id or not self.service_id:
            return
        prefix = self.effective_ticket_prefix
        clashes = (
            SiteService.objects.filter(site_id=self.site_id)
            .exclude(pk=self.pk)
            .select_related("service")
        )
        for other in clashes:
            if other.effective_ticket_prefix == prefix:
                raise ValidationError(
                    {
                        "ticket_prefix": _(
                            "Awalan %(prefix)s sudah dipakai %(other)s di gerai ini."
                        )
                        % {"prefix": prefix, "other": other.service}
                    }
                )


class Counter(TimestampedModel):
    """A counter (loket) at a site, serving some of the site's services."""

    site = models.ForeignKey(
        Site, verbose_name=_("gerai"), on_delete=models.CASCADE, related_name="counters"
    )
    number = models.PositiveIntegerField(_("nomor"), validators=[MinValueValidator(1)])
    name = models.CharField(_("nama"), max_length=100, blank=True)
    site_services = models.ManyToManyField(
        SiteService,
        verbose_name=_("layanan yang dilayani"),
        related_name="counters",
        blank=True,
        help_text=_("Layanan gerai ini yang dilayani di loket ini."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("loket")
        verbose_name_plural = _("loket")
        ordering = ["site__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="counter_number_unique"),
        ]

    def __str__(self) -> str:
        return _("Loket %(number)s") % {"number": self.number} + f" · {self.site}"


class OpeningHours(models.Model):
    """One opening range of a site on a weekday; a day may have several ranges
    (e.g. 08:00-12:00 and 13:00-15:00 around the lunch break)."""

    site = models.ForeignKey(
        Site, verbose_name=_("gerai"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("hari"), choices=Weekday.choices)
    opens = models.TimeField(_("buka"))
    closes = models.TimeField(_("tutup"))

    class Meta:
        verbose_name = _("jam buka")
        verbose_name_plural = _("jam buka")
        ordering = ["site", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="opening_hours_range"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(TimestampedModel):
    """Days on which a site (or every site) or one service is closed:
    national holidays, cuti bersama, and ad-hoc closures."""

    class Source(models.TextChoices):
        NATIONAL_HOLIDAY = "holiday", _("Libur nasional")
        JOINT_LEAVE = "cuti_bersama", _("Cuti bersama")
        LOCAL = "local", _("Penutupan setempat")

    site = models.ForeignKey(
        Site,
        verbose_name=_("gerai"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text=_("Kosongkan untuk menutup semua gerai."),
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("layanan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text=_("Kosongkan untuk menutup semua layanan."),
    )
    start_date = models.DateField(_("mulai tanggal"))
    end_date = models.DateField(_("sampai tanggal"), help_text=_("Termasuk tanggal ini."))
    reason = models.CharField(_("alasan"), max_length=200)
    source = models.CharField(
        _("sumber"), max_length=20, choices=Source.choices, default=Source.LOCAL
    )

    class Meta:
        verbose_name = _("penutupan")
        verbose_name_plural = _("penutupan")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")), name="closure_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.start_date}: {self.reason}"


def validate_weekdays(value: object) -> None:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(day, int) and 0 <= day <= 6 for day in value)
    ):
        raise ValidationError(_("Pilih hari sebagai daftar angka 0 (Senin) sampai 6 (Minggu)."))


class ScheduleRule(TimestampedModel):
    """Sessions of a service at a site: on these weekdays, between these times,
    slots of this length with this many seats. Slots are materialised from the
    rules for the booking horizon (see ``antre.booking.slots``)."""

    site_service = models.ForeignKey(
        SiteService,
        verbose_name=_("layanan di gerai"),
        on_delete=models.CASCADE,
        related_name="schedule_rules",
    )
    weekdays = models.JSONField(
        _("hari"),
        default=list,
        validators=[validate_weekdays],
        help_text=_("Daftar hari: 0 = Senin ... 6 = Minggu, mis. [0, 1, 2, 3, 4]."),
    )
    starts_at = models.TimeField(_("mulai"))
    ends_at = models.TimeField(
        _("selesai"), help_text=_("Slot terakhir berakhir paling lambat jam ini.")
    )
    slot_minutes = models.PositiveIntegerField(
        _("panjang slot (menit)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    capacity = models.PositiveIntegerField(
        _("kursi per slot"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Berapa pemohon dapat memesan satu slot."),
    )
    valid_from = models.DateField(_("berlaku mulai"), null=True, blank=True)
    valid_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    outside_hours = models.BooleanField(
        _("boleh di luar jam buka"),
        default=False,
        help_text=_(
            "Untuk sesi tambahan (mis. Sabtu, atau buka lebih pagi pukul 06.30): slotnya "
            "dibuat walau di luar jam buka gerai. Penutupan dan hari libur tetap berlaku."
        ),
    )

    class Meta:
        verbose_name = _("aturan jadwal")
        verbose_name_plural = _("aturan jadwal")
        ordering = ["site_service", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="schedule_rule_range"
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="schedule_rule_slot_len"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="schedule_rule_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.site_service}: {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class DayCapacity(TimestampedModel):
    """The seats of one day's slots (or of one slot, by its start time) of a
    site service, set by an admin instead of what the schedule rules give:
    fewer officers on a given Friday, an extra counter one morning.
    ``antre.booking.schedule`` applies it whenever it materialises slots, so
    the next regeneration does not undo it."""

    site_service = models.ForeignKey(
        SiteService,
        verbose_name=_("layanan di gerai"),
        on_delete=models.CASCADE,
        related_name="day_capacities",
    )
    date = models.DateField(_("tanggal"), help_text=_("Tanggal setempat di gerai."))
    starts_at = models.TimeField(
        _("jam slot"),
        null=True,
        blank=True,
        help_text=_("Kosongkan untuk semua slot hari itu; isi jam mulai untuk satu slot saja."),
    )
    capacity = models.PositiveIntegerField(
        _("kursi per slot"),
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )

    class Meta:
        verbose_name = _("kapasitas harian")
        verbose_name_plural = _("kapasitas harian")
        ordering = ["site_service", "date", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["site_service", "date"],
                condition=Q(starts_at__isnull=True),
                name="day_capacity_one_per_day",
            ),
            models.UniqueConstraint(
                fields=["site_service", "date", "starts_at"],
                condition=Q(starts_at__isnull=False),
                name="day_capacity_one_per_slot",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="day_capacity_positive"),
        ]

    def __str__(self) -> str:
        when = f" {self.starts_at:%H:%M}" if self.starts_at else ""
        return f"{self.site_service} {self.date}{when}: {self.capacity}"
