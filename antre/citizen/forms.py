"""The citizen's forms. They check only what a form can (a field is filled
in, two passwords match); every rule about the values themselves is the
accounts services' (``register_citizen`` and friends), whose errors the views
put back on the field they are about with ``add_domain_error``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
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
from antre.accounts.services import normalise_full_name, normalise_phone
from antre.core.challenge import ChallengeFailed, issue_challenge, verify_solution
from antre.core.errors import DomainError
from antre.waitlist.errors import DeadlinePassed, EarliestAfterDeadline, NoSiteOffersService

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


# Said beside a password field emptied after an error (browsers and Django
# never send a typed password back in the page).
RETYPE_PASSWORD = _("Ketik lagi: kata sandi dikosongkan demi keamanan setiap kali ada kesalahan.")


class CitizenForm(forms.Form):
    """A form whose fields all carry Pico-friendly attributes and whose
    domain errors land on the right field."""

    template_name = "citizen/forms/form.html"
    # Which field each kind of domain error is about; the rest go to the form.
    error_fields: dict[type[DomainError], str] = ERROR_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Labels stand above their field; a colon after each adds nothing.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def field_for(self, error: DomainError) -> str | None:
        name = next(
            (name for kind, name in self.error_fields.items() if isinstance(error, kind)), None
        )
        return name if name in self.fields else None

    def add_domain_error(self, error: DomainError) -> None:
        """Put ``error`` and the others found with it (``error.problems``)
        beside their fields; a field that already shows an error of the form's
        own (left empty, say) keeps that one alone."""
        for problem in error.problems:
            name = self.field_for(problem)
            if name is not None and name in self.errors:
                continue
            self.add_error(name, str(problem.detail))

    def get_context(self) -> dict[str, Any]:
        if self.is_bound and self.errors:
            for name, field in self.fields.items():
                widget = field.widget
                if isinstance(widget, forms.PasswordInput) and not widget.render_value:
                    # The bound field keeps its own copy of the help text.
                    # Idempotent: a form may be rendered twice.
                    bound = self[name]
                    if str(RETYPE_PASSWORD) not in str(bound.help_text):
                        bound.help_text = f"{RETYPE_PASSWORD} {bound.help_text}".strip()
        return super().get_context()


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

    # Each field is checked by the service's own rule here as well, so that
    # every wrong field shows at once: Django stops before the service when
    # one field is missing, and the service stops at its first problem.
    def clean_full_name(self) -> str:
        return domain_checked(normalise_full_name, self.cleaned_data["full_name"])

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"]
        domain_checked(normalise_phone, value)
        return value


def domain_checked[T](check: Callable[[T], object], value: T) -> T:
    """``value`` if ``check`` accepts it; its DomainError as a field error."""
    try:
        check(value)
    except DomainError as error:
        raise forms.ValidationError(str(error.detail)) from None
    return value


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


class WaitlistJoinForm(CitizenForm):
    """Joining the waiting list: a deadline, the earliest useful day, the
    sites the citizen accepts and what to do with a seat. The rules about the
    dates and sites are ``join_waitlist``'s; its errors land beside the field
    they are about."""

    # Which date is wrong, from the error's kind; an InvalidWaitlistRange of
    # neither kind goes to the form as a whole.
    error_fields = {
        DeadlinePassed: "latest",
        EarliestAfterDeadline: "earliest",
        NoSiteOffersService: "sites",
    }

    # Field errors are short and never repeat the label: the error summary
    # puts the label before each ("Tenggat Anda: Isi tanggal ini.").
    latest = forms.DateField(
        label=_("Tenggat Anda"),
        help_text=_(
            "Tanggal terakhir yang masih berguna, mis. tanggal SIM atau paspor Anda habis masa "
            "berlakunya."
        ),
        error_messages={
            "required": _("Isi tanggal ini."),
            "invalid": _("Isi tanggal yang benar."),
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    earliest = forms.DateField(
        label=_("Paling cepat"),
        required=False,
        help_text=_("Hari pertama Anda dapat datang. Kosongkan untuk mulai hari ini."),
        error_messages={"invalid": _("Isi tanggal yang benar.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sites = forms.MultipleChoiceField(
        label=_("Gerai yang Anda terima"),
        error_messages={"required": _("Pilih sedikitnya satu gerai.")},
        widget=forms.CheckboxSelectMultiple,
    )
    auto_book = forms.ChoiceField(
        label=_("Bila ada kursi untuk Anda"),
        choices=[
            ("0", _("Tawarkan dulu kepada saya (kursi ditahan beberapa jam)")),
            ("1", _("Langsung pesankan untuk saya (dapat dibatalkan)")),
        ],
        initial="0",
        # Not chosen: offered first, the gentler default.
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, sites: list[tuple[str, str]], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        sites_field = self.fields["sites"]
        assert isinstance(sites_field, forms.MultipleChoiceField)
        sites_field.choices = sites
        for name in ("latest", "earliest"):
            self.fields[name].widget.attrs["min"] = today.isoformat()
