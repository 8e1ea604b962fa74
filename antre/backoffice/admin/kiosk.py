"""Kiosks and their ticket printers in the back office: the city admin for
every site, a site admin for their own site's kiosks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from antre.accounts.models import Role, StaffRole
from antre.backoffice.admin.base import SITE_LEVEL, ScopedAdminMixin
from antre.onsite.models import Kiosk


class KioskForm(forms.ModelForm[Kiosk]):
    class Meta:
        model = Kiosk
        fields = (
            "name",
            "site",
            "user",
            "paper_width",
            "printer_kind",
            "printer_host",
            "printer_port",
            "printer_path",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user, site = cleaned.get("user"), cleaned.get("site")
        if (
            user is not None
            and site is not None
            and not StaffRole.objects.filter(user=user, role=Role.KIOSK, site=site).exists()
        ):
            self.add_error(
                "user",
                _(
                    "Akun ini belum berperan perangkat kiosk di gerai ini. "
                    "Beri peran itu pada akunnya lebih dulu."
                ),
            )
        return cleaned


@admin.register(Kiosk)
class KioskAdmin(ScopedAdminMixin[Kiosk]):
    site_path = "site"
    view_grants = SITE_LEVEL
    write_grants = SITE_LEVEL
    form = KioskForm
    # The device account is chosen among kiosk accounts of the admin's sites.
    choice_paths = {"user": ("roles__site", None)}
    list_display = ("name", "site", "user", "printer_kind", "paper_width")
    list_filter = (("site", admin.RelatedOnlyFieldListFilter), "printer_kind")
    list_select_related = ("site", "user")
    search_fields = ("name", "user__username")
    fieldsets = (
        (None, {"fields": ("name", "site", "user")}),
        (
            _("Printer tiket"),
            {
                "fields": (
                    "printer_kind",
                    "paper_width",
                    "printer_host",
                    "printer_port",
                    "printer_path",
                )
            },
        ),
    )

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and formfield is not None and formfield.queryset is not None:
            formfield.queryset = formfield.queryset.filter(roles__role=Role.KIOSK).distinct()
        return formfield
