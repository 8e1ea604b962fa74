"""The forms of the schedule page: each turns what the admin typed into one
``antre.booking.schedule_changes`` change; ``ApplyForm`` carries what the
preview showed (its fingerprint, the change's key) and the confirmation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from antre.booking.schedule_changes import (
    CapacityChange,
    DayClosure,
    ExtraSession,
    RuleChange,
    RuleDeletion,
    ScheduleChange,
)
from antre.catalog.models import ScheduleRule, Weekday

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def slot_minutes_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Panjang slot (menit)"), min_value=5, max_value=240, initial=30
    )


def seats_field(label: str | Any = None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label or _("Kursi per slot"), min_value=1, max_value=1000, initial=10
    )


class ChangeForm(forms.Form):
    """What every change form answers: the change it describes."""

    title: ClassVar[Any] = ""

    def change(self) -> ScheduleChange:
        raise NotImplementedError

    def check_times(self, cleaned: dict[str, Any]) -> None:
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and starts_at >= ends_at:
            self.add_error("ends_at", _("Jam selesai harus sesudah jam mulai."))


class RuleForm(ChangeForm):
    title = _("Aturan jadwal")
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Hari"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    starts_at = forms.TimeField(label=_("Mulai"), widget=TIME, initial=dt.time(9, 0))
    ends_at = forms.TimeField(label=_("Selesai"), widget=TIME, initial=dt.time(15, 0))
    slot_minutes = slot_minutes_field()
    capacity = seats_field()
    valid_from = forms.DateField(label=_("Berlaku mulai"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Berlaku sampai"), required=False, widget=DATE)

    def __init__(self, *args: Any, rule: ScheduleRule | None = None, **kwargs: Any) -> None:
        self.rule = rule
        if rule is not None and not kwargs.get("data") and not (args and args[0]):
            kwargs["initial"] = {
                "weekdays": rule.weekdays,
                "starts_at": rule.starts_at,
                "ends_at": rule.ends_at,
                "slot_minutes": rule.slot_minutes,
                "capacity": rule.capacity,
                "valid_from": rule.valid_from,
                "valid_until": rule.valid_until,
            }
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_times(cleaned)
        valid_from, valid_until = cleaned.get("valid_from"), cleaned.get("valid_until")
        if valid_from and valid_until and valid_from > valid_until:
            self.add_error("valid_until", _("'Berlaku sampai' harus sesudah 'berlaku mulai'."))
        return cleaned

    def change(self) -> ScheduleChange:
        data = self.cleaned_data
        return RuleChange(
            rule_id=self.rule.pk if self.rule is not None else None,
            weekdays=tuple(sorted(data["weekdays"])),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            slot_minutes=data["slot_minutes"],
            capacity=data["capacity"],
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
        )


class DeleteRuleForm(ChangeForm):
    title = _("Hapus aturan jadwal")

    def __init__(self, *args: Any, rule: ScheduleRule, **kwargs: Any) -> None:
        self.rule = rule
        super().__init__(*args, **kwargs)

    def change(self) -> ScheduleChange:
        return RuleDeletion(rule_id=self.rule.pk)


class SessionForm(ChangeForm):
    title = _("Sesi tambahan")
    day = forms.DateField(label=_("Tanggal"), widget=DATE)
    starts_at = forms.TimeField(label=_("Mulai"), widget=TIME, initial=dt.time(8, 0))
    ends_at = forms.TimeField(label=_("Selesai"), widget=TIME, initial=dt.time(12, 0))
    slot_minutes = slot_minutes_field()
    capacity = seats_field()

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_day(self) -> dt.date:
        day: dt.date = self.cleaned_data["day"]
        if day < self.today:
            raise forms.ValidationError(_("Tanggal sudah lewat."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_times(cleaned)
        return cleaned

    def change(self) -> ScheduleChange:
        data = self.cleaned_data
        return ExtraSession(
            day=data["day"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            slot_minutes=data["slot_minutes"],
            capacity=data["capacity"],
        )


class CapacityForm(ChangeForm):
    title = _("Kapasitas satu hari")
    day = forms.DateField(label=_("Tanggal"), widget=DATE)
    starts_at = forms.TimeField(
        label=_("Jam slot"),
        required=False,
        widget=TIME,
        help_text=_("Kosongkan untuk semua slot hari itu; isi jam mulai untuk satu slot saja."),
    )
    capacity = seats_field(_("Kursi per slot"))

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_day(self) -> dt.date:
        day: dt.date = self.cleaned_data["day"]
        if day < self.today:
            raise forms.ValidationError(_("Tanggal sudah lewat."))
        return day

    def change(self) -> ScheduleChange:
        data = self.cleaned_data
        return CapacityChange(
            day=data["day"], starts_at=data.get("starts_at"), capacity=data["capacity"]
        )


class ClosureForm(ChangeForm):
    title = _("Tutup untuk satu hari atau lebih")
    start_date = forms.DateField(label=_("Mulai tanggal"), widget=DATE)
    end_date = forms.DateField(
        label=_("Sampai tanggal"),
        required=False,
        widget=DATE,
        help_text=_("Termasuk tanggal ini; kosongkan untuk satu hari saja."),
    )
    reason = forms.CharField(
        label=_("Alasan"),
        max_length=200,
        help_text=_("Tampil di kalender warga dan dikirim kepada warga yang pemesanannya batal."),
    )
    whole_site = forms.BooleanField(
        label=_("Tutup seluruh gerai (semua layanan), bukan hanya layanan ini"), required=False
    )

    def __init__(self, *args: Any, today: dt.date, may_close_site: bool, **kwargs: Any) -> None:
        self.today = today
        super().__init__(*args, **kwargs)
        if not may_close_site:
            del self.fields["whole_site"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and start < self.today:
            self.add_error("start_date", _("Tanggal sudah lewat."))
        if start and end and end < start:
            self.add_error("end_date", _("'Sampai tanggal' harus sesudah 'mulai tanggal'."))
        return cleaned

    def change(self) -> ScheduleChange:
        data = self.cleaned_data
        return DayClosure(
            start_date=data["start_date"],
            end_date=data.get("end_date") or data["start_date"],
            reason=data["reason"].strip(),
            whole_site=bool(data.get("whole_site")),
        )


class ApplyForm(forms.Form):
    """The second step: what the admin saw and whether they confirm it."""

    change_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("Saya mengerti bahwa pemesanan di atas dibatalkan dan warganya diberi tahu"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Alasan untuk warga"),
        max_length=200,
        required=False,
        help_text=_("Dikirim dalam e-mail permohonan maaf kepada warga yang pemesanannya batal."),
    )
    join_waitlist = forms.BooleanField(
        label=_(
            "Masukkan warga yang pemesanannya batal ke daftar tunggu layanan ini "
            "sampai tanggal semula"
        ),
        required=False,
        initial=True,
    )

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex
