"""People and devices: citizens (warga), staff with roles scoped to a site
and/or an agency, and hashed API tokens."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from antre.core import clock


class User(AbstractUser):
    """One account model for citizens, staff and devices.

    A citizen is a user with a NIK. The full NIK is only shown to its owner and
    to staff who need it; lookups go through ``nik_digest`` (a keyed HMAC, see
    ``antre.accounts.nik``) and displays use ``nik_masked``.
    """

    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    phone = PhoneNumberField(_("nomor telepon"), blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    nik_digest = models.CharField(
        _("sidik NIK"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    nik_masked = models.CharField(_("NIK tersamar"), max_length=16, blank=True, editable=False)
    email_verified_at = models.DateTimeField(_("e-mail terverifikasi"), null=True, blank=True)
    is_test_account = models.BooleanField(
        _("akun uji"), default=False, help_text=_("Dibuat untuk uji beban; bukan warga sungguhan.")
    )

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_citizen(self) -> bool:
        return self.nik_digest is not None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("Admin kota")
    SITE_ADMIN = "site_admin", _("Admin gerai")
    AGENCY_ADMIN = "agency_admin", _("Admin instansi")
    OFFICER = "officer", _("Petugas loket")
    KIOSK = "kiosk", _("Perangkat kiosk")
    BOARD = "board", _("Perangkat papan tampilan")


ADMIN_ROLES = frozenset({Role.CITY_ADMIN, Role.SITE_ADMIN, Role.AGENCY_ADMIN})
DEVICE_ROLES = frozenset({Role.KIOSK, Role.BOARD})


class StaffRole(models.Model):
    """A role a staff account holds, scoped to a site and/or an agency.

    city_admin: everything (no scope). site_admin: one site. agency_admin: one
    agency (optionally only at one site). officer: one site (optionally one
    agency's services). kiosk and board devices: one site.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    site = models.ForeignKey(
        "catalog.Site",
        verbose_name=_("gerai"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff_roles",
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("instansi"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff_roles",
    )

    class Meta:
        verbose_name = _("peran staf")
        verbose_name_plural = _("peran staf")
        constraints = [
            # Coalesce so that two unscoped roles also count as equal (NULLs
            # are distinct in a plain unique index, on SQLite and PostgreSQL).
            models.UniqueConstraint(
                "user",
                "role",
                Coalesce("site", Value(0)),
                Coalesce("agency", Value(0)),
                name="staff_role_unique",
            ),
            models.CheckConstraint(
                name="staff_role_scope",
                condition=(
                    Q(role="city_admin", site__isnull=True, agency__isnull=True)
                    | Q(role="site_admin", site__isnull=False, agency__isnull=True)
                    | Q(role="agency_admin", agency__isnull=False)
                    | Q(role="officer", site__isnull=False)
                    | Q(role__in=["kiosk", "board"], site__isnull=False, agency__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = " · ".join(str(part) for part in (self.site, self.agency) if part is not None)
        return f"{self.get_role_display()} {scope}".strip()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the token itself is
    shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("awalan"), max_length=12, editable=False, help_text=_("Untuk mengenali token.")
    )
    created_at = models.DateTimeField(_("dibuat"), default=clock.now, editable=False)
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    rate_limit = models.PositiveIntegerField(
        _("kuota per menit"),
        null=True,
        blank=True,
        help_text=_(
            "Untuk integrator (mis. aplikasi kota yang mengirim permintaan semua warganya dari "
            "satu alamat): permintaan yang dibatasi dihitung pada kuota token ini, bukan pada "
            "batas per alamat IP. Kosong: batas biasa."
        ),
    )

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
