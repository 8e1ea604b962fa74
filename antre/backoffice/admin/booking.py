"""Slots (capacity editable, nothing else) and bookings (read-only) in the back office."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from antre.accounts.scopes import ALL_GRANTS
from antre.backoffice.admin.base import NO_GRANTS, ScopedAdminMixin
from antre.backoffice.admin.display import site_time
from antre.booking.models import Booking, Slot
from antre.core import clock
from antre.core.codes import parse_code


def set_slot_capacity(*, slot: Slot, capacity: int) -> bool:
    """Set a slot's seats, never below the seats booked at the moment of the
    write (a guarded UPDATE, STYLE.md rule 3): ``False`` when a booking
    arrived in between and the cut would oversell. Only ``capacity`` is
    written, so a booking counted meanwhile is not overwritten."""
    changed = Slot.objects.filter(pk=slot.pk, booked__lte=capacity).update(capacity=capacity)
    slot.refresh_from_db(fields=["capacity", "booked"])
    return bool(changed)


class SlotForm(forms.ModelForm[Slot]):
    class Meta:
        model = Slot
        fields = ("capacity",)

    def clean_capacity(self) -> int:
        capacity: int = self.cleaned_data["capacity"]
        booked = Slot.objects.filter(pk=self.instance.pk).values_list("booked", flat=True).first()
        if booked is not None and capacity < booked:
            raise forms.ValidationError(
                _("Kapasitas tidak boleh di bawah kursi yang sudah dipesan (%(booked)d).")
                % {"booked": booked}
            )
        return capacity


@admin.register(Slot)
class SlotAdmin(ScopedAdminMixin[Slot]):
    """Slots are made from schedule rules; here only a slot's seats change.

    A capacity set by hand holds until the slots are next regenerated from the
    rules (a rule, the hours or a closure changes); to change it for good,
    change the schedule rule.
    """

    site_path = "site_service__site"
    agency_path = "site_service__service__agency"
    write_grants = ALL_GRANTS
    add_grants = NO_GRANTS
    delete_grants = NO_GRANTS
    form = SlotForm
    fields = ("site_service", "start_shown", "end_shown", "capacity", "booked", "is_open", "rule")
    readonly_fields = ("site_service", "start_shown", "end_shown", "booked", "is_open", "rule")
    list_display = (
        "site_service",
        "start_shown",
        "capacity",
        "booked",
        "remaining_shown",
        "is_open",
    )
    list_filter = (
        ("site_service__site", admin.RelatedOnlyFieldListFilter),
        ("site_service__service", admin.RelatedOnlyFieldListFilter),
        "is_open",
    )
    list_select_related = ("site_service__site", "site_service__service")
    date_hierarchy = "start"
    ordering = ("start", "site_service")

    @admin.display(description=_("mulai"), ordering="start")
    def start_shown(self, obj: Slot) -> str:
        return site_time(obj.start, obj.site_service.site)

    @admin.display(description=_("selesai"), ordering="end")
    def end_shown(self, obj: Slot) -> str:
        return site_time(obj.end, obj.site_service.site)

    @admin.display(description=_("sisa"))
    def remaining_shown(self, obj: Slot) -> int:
        return obj.remaining

    def has_change_permission(self, request: HttpRequest, obj: Slot | None = None) -> bool:
        # A past slot's seats mean nothing any more.
        if obj is not None and obj.start <= clock.now():
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Slot, form: Any, change: Any) -> None:
        if not set_slot_capacity(slot=obj, capacity=form.cleaned_data["capacity"]):
            messages.error(
                request,
                _("Kapasitas tidak diubah: sudah %(booked)d kursi dipesan.")
                % {"booked": obj.booked},
            )
            return
        self.record_change(
            request, obj, verb="changed", data={"fields": ["capacity"], "capacity": obj.capacity}
        )
        messages.warning(
            request,
            _(
                "Kapasitas slot ini diubah manual; akan kembali mengikuti aturan jadwal "
                "bila slot dibuat ulang. Ubah aturan jadwal untuk perubahan tetap."
            ),
        )


@admin.register(Booking)
class BookingAdmin(ScopedAdminMixin[Booking]):
    """Bookings are changed by citizens, kiosks and officers, never here. The
    citizen shows only as a masked NIK."""

    site_path = "site"
    agency_path = "service__agency"
    fields = (
        "code_shown",
        "status",
        "site",
        "service",
        "slot_start",
        "citizen_nik",
        "created_at",
        "cancelled_at",
        "checked_in_at",
    )
    readonly_fields = fields
    list_display = ("code_shown", "status", "site", "service", "slot_start", "citizen_nik")
    list_filter = (
        "status",
        ("site", admin.RelatedOnlyFieldListFilter),
        ("service", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("code",)
    search_help_text = _("Cari dengan kode pemesanan, mis. 7K3M-9QXZ4.")
    list_select_related = ("site", "service", "slot", "citizen")

    @admin.display(description=_("kode pemesanan"), ordering="code")
    def code_shown(self, obj: Booking) -> str:
        return obj.display_code

    @admin.display(description=_("jam janji"), ordering="slot__start")
    def slot_start(self, obj: Booking) -> str:
        return site_time(obj.slot.start, obj.site)

    @admin.display(description=_("NIK"))
    def citizen_nik(self, obj: Booking) -> str:
        if obj.citizen is None or not obj.citizen.nik_masked:
            return "-"
        return obj.citizen.nik_masked

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Booking], search_term: str
    ) -> tuple[QuerySet[Booking], bool]:
        # Exact codes only: a code is a secret, not something to browse by prefix.
        if not search_term.strip():
            return queryset, False
        code = parse_code(search_term)
        if code is None:
            return queryset.none(), False
        return queryset.filter(code=code), False
