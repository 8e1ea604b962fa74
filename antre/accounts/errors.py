"""The account rules' errors; each ``code`` is a problem code of API.md."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from antre.accounts.nik import InvalidNik
from antre.core.errors import Conflict, DomainError, InvalidInput


class InvalidEmail(InvalidInput):
    code = "invalid_email"
    title = _("E-mail tidak valid")
    default_detail = _("Masukkan alamat e-mail yang valid, mis. nama@contoh.id.")


class InvalidPhone(InvalidInput):
    code = "invalid_phone"
    title = _("Nomor telepon tidak valid")
    default_detail = _("Masukkan nomor telepon Indonesia yang valid, mis. 0812 3456 7890.")


class InvalidName(InvalidInput):
    code = "invalid_name"
    title = _("Nama tidak valid")
    default_detail = _("Masukkan nama lengkap Anda (paling banyak 150 karakter).")


class WeakPassword(InvalidInput):
    code = "weak_password"
    title = _("Kata sandi terlalu lemah")
    default_detail = _("Pilih kata sandi yang lebih kuat.")


class EmailTaken(Conflict):
    code = "email_taken"
    title = _("E-mail sudah terdaftar")
    default_detail = _(
        "Alamat e-mail ini sudah terdaftar. Masuk dengan akun itu atau atur ulang kata sandinya."
    )


class NikTaken(Conflict):
    code = "nik_taken"
    title = _("NIK sudah terdaftar")
    default_detail = _(
        "NIK ini sudah dipakai oleh akun lain. Jika itu bukan Anda, hubungi petugas MPP."
    )


class InvalidToken(InvalidInput):
    code = "invalid_token"
    title = _("Tautan tidak berlaku")
    default_detail = _("Tautan ini tidak sah atau sudah kedaluwarsa. Mintalah tautan baru.")


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    title = _("Gagal masuk")
    default_detail = _("E-mail atau kata sandi salah.")


__all__ = [
    "EmailTaken",
    "InvalidCredentials",
    "InvalidEmail",
    "InvalidName",
    "InvalidNik",
    "InvalidPhone",
    "InvalidToken",
    "NikTaken",
    "WeakPassword",
]
