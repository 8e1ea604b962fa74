"""The citizen's forms. They check only what a form can (a field is filled
in, two passwords match); every rule about the values themselves is the
accounts services' (``register_citizen`` and friends), whose errors the views
put back on the field they are about with ``add_domain_error``."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from antre.accounts.errors import (
    EmailTaken,
    InvalidEmail,
    InvalidName,
    InvalidNik,
    InvalidPhone,
    NikTaken,
    WeakPassword,
)
from antre.core.challenge import ChallengeFailed, issue_challenge, verify_solution
from antre.core.errors import DomainError

# Which field a domain error is about; others go to the form as a whole.
ERROR_FIELDS: dict[type[DomainError], str] = {
    InvalidName: "full_name",
    InvalidNik: "nik",
    NikTaken: "nik",
    InvalidEmail: "email",
    EmailTaken: "email",
    InvalidPhone: "phone",
    WeakPassword: "password",
}


class CitizenForm(forms.Form):
    """A form whose fields all carry Pico-friendly attributes and whose
    domain errors land on the right field."""

    template_name = "citizen/forms/form.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Labels stand above their field; a colon after each adds nothing.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_domain_error(self, error: DomainError) -> None:
        name = next((name for kind, name in ERROR_FIELDS.items() if isinstance(error, kind)), None)
        self.add_error(name if name in self.fields else None, str(error.detail))


class ChallengeWidget(forms.Widget):
    """The ALTCHA widget (altcha.min.js from our static files): it solves a
    fresh challenge in the background as soon as the page loads and puts the
    solution in a hidden input of the same name."""

    template_name = "citizen/forms/challenge.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["challenge_json"] = json.dumps(issue_challenge())
        # The widget's own words, in the page's language (its built-in ones are English).
        context["strings_json"] = json.dumps(
            {
                "label": gettext("Saya bukan robot"),
                "verifying": gettext("Memeriksa…"),
                "verified": gettext("Terverifikasi"),
                "error": gettext("Verifikasi gagal. Coba lagi nanti."),
                "expired": gettext("Verifikasi kedaluwarsa. Coba lagi."),
                "verificationRequired": gettext("Verifikasi diperlukan!"),
                "waitAlert": gettext("Sedang memeriksa… mohon tunggu."),
                "ariaLinkLabel": gettext("Kunjungi altcha.org (tab baru)"),
                "footer": gettext("Dilindungi oleh ALTCHA"),
            }
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name, "")

    def id_for_label(self, id_: str) -> str:
        # The widget makes its own checkbox (with its own label) under a
        # random id: our label names the step and points at nothing.
        return ""


class ChallengeField(forms.Field):
    """A solved challenge, accepted once (``antre.core.challenge``)."""

    widget = ChallengeWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Verifikasi anti-robot"))
        kwargs.setdefault(
            "help_text",
            _("Peramban Anda mengerjakannya sendiri dalam beberapa detik; tidak perlu diklik."),
        )
        super().__init__(required=False, **kwargs)

    def validate(self, value: Any) -> None:
        try:
            verify_solution(str(value or ""))
        except ChallengeFailed as failed:
            raise forms.ValidationError(str(failed.detail), code=failed.code) from None


def add_challenge(form: forms.Form) -> None:
    """Ask ``form`` for a solved challenge when ANTRE_CHALLENGE is on."""
    if settings.ANTRE_CHALLENGE:
        form.fields["altcha"] = ChallengeField()


class BookingConfirmationForm(CitizenForm):
    """The booking confirmation's button; with ANTRE_CHALLENGE, a challenge too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_challenge(self)


class RegistrationForm(CitizenForm):
    full_name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=150,
        help_text=_("Sesuai KTP-el Anda."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    nik = forms.CharField(
        label=_("NIK (Nomor Induk Kependudukan)"),
        max_length=24,
        help_text=_(
            "16 angka pada KTP-el atau Kartu Keluarga Anda. Petugas memakainya untuk "
            "mencocokkan pemesanan dengan data kependudukan Anda, dan satu NIK hanya dapat "
            "memiliki satu akun. NIK lengkap hanya terlihat oleh Anda dan petugas yang "
            "melayani Anda; di tempat lain NIK disamarkan."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=150,
        help_text=_("Kami mengirim tautan verifikasi dan kode pemesanan ke alamat ini."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Nomor HP (boleh dikosongkan)"),
        max_length=30,
        required=False,
        help_text=_("Mis. 0812 3456 7890."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        help_text=_(
            "Paling sedikit 8 karakter, tidak hanya angka, dan tidak mirip nama atau e-mail Anda."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_challenge(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", _("Kedua kata sandi tidak sama."))
        return cleaned


class LoginForm(CitizenForm):
    email = forms.CharField(
        label=_("E-mail"),
        max_length=150,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordResetRequestForm(CitizenForm):
    email = forms.CharField(
        label=_("E-mail akun Anda"),
        max_length=150,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SetPasswordForm(CitizenForm):
    password = forms.CharField(
        label=_("Kata sandi baru"),
        strip=False,
        help_text=_(
            "Paling sedikit 8 karakter, tidak hanya angka, dan tidak mirip nama atau e-mail Anda."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label=_("Ulangi kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", _("Kedua kata sandi tidak sama."))
        return cleaned


class ProfileForm(CitizenForm):
    full_name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Nomor HP (boleh dikosongkan)"),
        max_length=30,
        required=False,
        help_text=_("Mis. 0812 3456 7890."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class DeleteAccountForm(CitizenForm):
    """Deleting an account asks for the password again (an open session on a
    shared computer is not enough) and for an explicit yes."""

    password = forms.CharField(
        label=_("Kata sandi Anda"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Saya mengerti bahwa akun saya dihapus dan tidak dapat dipulihkan."),
        error_messages={"required": _("Centang kotak ini untuk menghapus akun.")},
    )
