"""Forms of the back office's reports and capacity planner. Their choices are
what the person's roles let them see (``antre.reports.selectors.visible_*``),
so a site or service outside their scope is an invalid choice, never a
report of someone else's data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from antre.accounts.scopes import StaffScope
from antre.catalog.models import Agency, Service, Site
from antre.core import clock
from antre.reports.profiles import DEFAULT_WEEKS, MAX_WEEKS
from antre.reports.selectors import (
    MAX_REPORT_DAYS,
    ReportFilter,
    visible_agencies,
    visible_services,
    visible_sites,
)
from antre.reports.workload import Pattern, ServiceDistribution

DEFAULT_REPORT_DAYS = 14
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceChoiceField(forms.ModelChoiceField[Service]):
    def label_from_instance(self, obj: Service) -> str:
        return f"{obj.agency} · {obj.name}"


def city_today() -> dt.date:
    """Today in the city's time zone (``TIME_ZONE``), for default date ranges."""
    return clock.today(settings.TIME_ZONE)


class ReportFilterForm(forms.Form):
    """Sent by GET; an unbound form stands for the last fourteen days."""

    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label=_("Gerai"), empty_label=_("Semua")
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label=_("Instansi"),
        empty_label=_("Semua"),
    )
    service = ServiceChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label=_("Layanan"),
        empty_label=_("Semua"),
    )
    start = forms.DateField(label=_("Dari"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Sampai"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, scope: StaffScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["site"].queryset = visible_sites(scope)
        fields["agency"].queryset = visible_agencies(scope)
        fields["service"].queryset = visible_services(scope)
        today = city_today()
        fields["end"].initial = today
        fields["start"].initial = today - dt.timedelta(days=DEFAULT_REPORT_DAYS - 1)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = city_today()
        end = cleaned.get("end") or today
        start = cleaned.get("start") or end - dt.timedelta(days=DEFAULT_REPORT_DAYS - 1)
        if end < start:
            raise forms.ValidationError(
                _("Tanggal 'sampai' tidak boleh sebelum tanggal 'dari'."), code="invalid_range"
            )
        if (end - start).days + 1 > MAX_REPORT_DAYS:
            raise forms.ValidationError(
                _("Rentang tanggal paling panjang %(days)d hari.") % {"days": MAX_REPORT_DAYS},
                code="range_too_long",
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def report_filter(self) -> ReportFilter:
        data = self.cleaned_data
        site, agency, service = data.get("site"), data.get("agency"), data.get("service")
        return ReportFilter(
            start=data["start"],
            end=data["end"],
            site_id=site.pk if site is not None else None,
            agency_id=agency.pk if agency is not None else None,
            service_id=service.pk if service is not None else None,
        )


class PlannerForm(forms.Form):
    """The day to plan, where its arrivals come from, and up to three
    scenarios to compare. Sent by GET so that a plan can be bookmarked."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Gerai"), empty_label=None)
    service = ServiceChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label=_("Layanan"),
        empty_label=_("Semua layanan gerai"),
        help_text=_("Satu layanan: kedatangannya dan loket yang melayaninya saja."),
    )
    day = forms.DateField(
        label=_("Tanggal"),
        widget=DATE_WIDGET,
        help_text=_("Riwayat diambil dari hari yang sama pada minggu-minggu sebelumnya."),
    )
    weeks = forms.IntegerField(
        label=_("Minggu riwayat"), min_value=1, max_value=MAX_WEEKS, initial=DEFAULT_WEEKS
    )
    pattern = forms.ChoiceField(
        label=_("Pola kedatangan"),
        choices=[
            (Pattern.HISTORY.value, _("Dari riwayat")),
            (Pattern.UNIFORM.value, _("Merata sepanjang hari")),
            (Pattern.MORNING_PEAK.value, _("Ramai di pagi hari")),
        ],
        initial=Pattern.HISTORY.value,
    )
    visitors = forms.IntegerField(
        label=_("Pengunjung per hari"),
        min_value=1,
        max_value=5000,
        required=False,
        help_text=_("Kosongkan untuk memakai rata-rata riwayat."),
    )
    appointment_share = forms.IntegerField(
        label=_("Dengan janji (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Kosongkan untuk memakai bagian dari riwayat."),
    )
    distribution = forms.ChoiceField(
        label=_("Sebaran lama layanan"),
        choices=[
            (ServiceDistribution.LOGNORMAL.value, _("Lognormal")),
            (ServiceDistribution.EXPONENTIAL.value, _("Eksponensial")),
        ],
        initial=ServiceDistribution.LOGNORMAL.value,
    )
    service_minutes = forms.FloatField(
        label=_("Median lama layanan (menit)"),
        min_value=0.5,
        max_value=480,
        required=False,
        help_text=_("Kosongkan untuk memakai median riwayat."),
    )
    target_p90 = forms.FloatField(
        label=_("Target P90 waktu tunggu (menit)"), min_value=1, max_value=600, initial=30
    )
    counters_1 = forms.IntegerField(label=_("Loket"), min_value=1, max_value=60, required=False)
    cap_1 = forms.IntegerField(label=_("Kapasitas ruang"), min_value=1, required=False)
    counters_2 = forms.IntegerField(label=_("Loket"), min_value=1, max_value=60, required=False)
    cap_2 = forms.IntegerField(label=_("Kapasitas ruang"), min_value=1, required=False)
    counters_3 = forms.IntegerField(label=_("Loket"), min_value=1, max_value=60, required=False)
    cap_3 = forms.IntegerField(label=_("Kapasitas ruang"), min_value=1, required=False)

    SCENARIOS = 3

    def __init__(self, *args: Any, scope: StaffScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["site"].queryset = visible_sites(scope).filter(is_active=True)
        fields["service"].queryset = visible_services(scope)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        site, service = cleaned.get("site"), cleaned.get("service")
        if (
            site is not None
            and service is not None
            and not service.site_services.filter(site=site).exists()
        ):
            self.add_error("service", _("Layanan ini tidak dibuka di gerai tersebut."))
        return cleaned

    def day_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(("counters_", "cap_"))]

    def scenario_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"counters_{number}"], self[f"cap_{number}"])
            for number in range(1, self.SCENARIOS + 1)
        ]
