"""The audit log in the back office: read-only, scoped by role, searchable,
and exportable as CSV by those who may take personal data out.

Who sees what (docs/privacy.md): a city admin every event; a site admin the
events of their site; an agency admin those of their agency (at their site,
if the role names one); officers, devices and citizens have no back office.
Events bound to no site and no agency (account changes, a citizen's own
account events) are the city admin's alone. Below the city admin, a citizen
who acted shows as a masked e-mail and cannot be searched for by address.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from antre.accounts.privacy import mask_email, may_export_personal_data
from antre.backoffice.admin.base import ScopedAdminMixin, acting_user
from antre.core import clock
from antre.core.audit import record_event
from antre.core.models import AuditEvent
from antre.reports.exports import defuse

# Rows per page of the log.
PAGE_SIZE = 50

# What each recorded action means, for the people reading the log; the code
# stays beside it (it is what the log's search and the exports hold).
ACTIONS: dict[str, Any] = {
    "account.deleted": _("Akun dihapus"),
    "account.email_verified": _("E-mail diverifikasi"),
    "account.exported": _("Data pribadi diunduh pemiliknya"),
    "account.loadtest_created": _("Akun uji beban dibuat"),
    "account.password_reset": _("Kata sandi diatur ulang"),
    "account.password_reset_requested": _("Atur ulang kata sandi diminta"),
    "account.profile_updated": _("Profil diubah"),
    "account.registered": _("Akun didaftarkan"),
    "audit.exported": _("Log audit diekspor"),
    "booking.attendance_confirmed": _("Kehadiran dikonfirmasi"),
    "booking.cancelled": _("Pemesanan dibatalkan"),
    "booking.created": _("Pemesanan dibuat"),
    "booking.no_show": _("Pemesanan tidak hadir (check-in ditutup)"),
    "booking.rescheduled": _("Jadwal pemesanan dipindah"),
    "kiosk.print_failed": _("Cetak kiosk gagal"),
    "lookup.failed": _("Pencarian kode atau nomor gagal"),
    "privacy.nik_checked": _("NIK dicocokkan di loket"),
    "privacy.revealed": _("Data pribadi dibuka"),
    "release.drawn": _("Undian kursi dijalankan"),
    "release.requested": _("Kursi diminta (undian)"),
    "schedule.change_applied": _("Perubahan jadwal diterapkan"),
    "schedule.holidays_applied": _("Hari libur diterapkan"),
    "slot.changed": _("Slot diubah"),
    "waitlist.joined": _("Masuk daftar tunggu"),
    "waitlist.offered": _("Kursi ditawarkan dari daftar tunggu"),
    "waitlist.withdrawn": _("Mundur dari daftar tunggu"),
}
# The back office's own changes: "<app>.<model>.<verb>" (record_change).
VERBS: dict[str, Any] = {
    "created": _("dibuat"),
    "changed": _("diubah"),
    "saved": _("disimpan"),
    "deleted": _("dihapus"),
    "revoked": _("dicabut"),
}


def describe_action(action: str) -> str:
    """The action in words, or the code itself for one not described here."""
    known = ACTIONS.get(action)
    if known is not None:
        return str(known)
    app_label, _dot, rest = action.partition(".")
    model_name, _dot, verb = rest.rpartition(".")
    if model_name and verb in VERBS:
        from django.apps import apps

        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return action
        return f"{str(model._meta.verbose_name).capitalize()} {VERBS[verb]}"
    return action


class InputFilter(admin.SimpleListFilter):
    """A filter typed into a box rather than picked from a list. Its form
    carries the page's other parameters, so filters and search add up."""

    template = "backoffice/audit/input_filter.html"
    input_type = "text"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # SimpleListFilter shows only with at least one lookup.
        return [("", "")]

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        yield {
            "value": self.value() or "",
            "input_type": self.input_type,
            "parameter_name": self.parameter_name,
            "others": sorted(
                (name, value)
                for name, value in changelist.params.items()
                if name != self.parameter_name
            ),
            "clear_query": changelist.get_query_string(remove=[str(self.parameter_name)]),
        }


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


class SinceFilter(InputFilter):
    title = _("sejak tanggal")
    parameter_name = "dari"
    input_type = "date"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        day = parse_date(self.value() or "")
        return queryset.filter(at__gte=_local_midnight(day)) if day else queryset


class UntilFilter(InputFilter):
    title = _("sampai tanggal")
    parameter_name = "sampai"
    input_type = "date"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        day = parse_date(self.value() or "")
        if day is None:
            return queryset
        return queryset.filter(at__lt=_local_midnight(day + dt.timedelta(days=1)))


class ActorFilter(InputFilter):
    title = _("pelaku")
    parameter_name = "pelaku"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        text = (self.value() or "").strip()
        if not text:
            return queryset
        matches = Q(actor_label__icontains=text)
        if not may_export_personal_data(request.user):
            # Only staff by name: a citizen's address is not a search key here.
            matches &= Q(actor__isnull=True) | Q(actor__nik_digest__isnull=True)
        return queryset.filter(matches)


class ObjectIdFilter(InputFilter):
    title = _("id objek")
    parameter_name = "id_objek"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        text = (self.value() or "").strip()
        return queryset.filter(target_id=text) if text else queryset


class ActionFilter(admin.SimpleListFilter):
    title = _("tindakan")
    parameter_name = "tindakan"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        actions = (
            model_admin.get_queryset(request)
            .order_by("action")
            .values_list("action", flat=True)
            .distinct()
        )
        return [(action, action) for action in actions]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("jenis objek")
    parameter_name = "jenis_objek"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        kinds = (
            model_admin.get_queryset(request)
            .exclude(target_type="")
            .order_by("target_type")
            .values_list("target_type", flat=True)
            .distinct()
        )
        return [(kind, kind) for kind in kinds]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(target_type=self.value()) if self.value() else queryset


def shown_actor(event: AuditEvent, *, personal: bool) -> str:
    """The actor's label, masked when the actor is a citizen and the viewer
    may not see personal data."""
    label = event.actor_label or "-"
    actor = event.actor
    if not personal and actor is not None and actor.nik_digest is not None:
        return mask_email(label)
    return label


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdminMixin[AuditEvent]):
    site_path = "site"
    agency_path = "agency"
    list_per_page = PAGE_SIZE
    list_filter = (
        SinceFilter,
        UntilFilter,
        ActorFilter,
        ActionFilter,
        ObjectTypeFilter,
        ObjectIdFilter,
        ("site", admin.RelatedOnlyFieldListFilter),
        ("agency", admin.RelatedOnlyFieldListFilter),
    )
    search_help_text = _("Cari di tindakan, pelaku, objek dan rinciannya.")
    list_select_related = ("site", "agency", "actor")
    date_hierarchy = "at"

    @admin.display(description=_("pelaku"), ordering="actor_label")
    def actor_masked(self, obj: AuditEvent) -> str:
        return shown_actor(obj, personal=False)

    @admin.display(description=_("tindakan"), ordering="action")
    def action_shown(self, obj: AuditEvent) -> str:
        return format_html(
            '{}<br><small class="quiet">{}</small>', describe_action(obj.action), obj.action
        )

    def _actor_field(self, request: HttpRequest) -> str:
        return "actor_label" if may_export_personal_data(request.user) else "actor_masked"

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        return (
            "at",
            self._actor_field(request),
            "action_shown",
            "target_type",
            "target_id",
            "site",
            "agency",
        )

    def get_fields(self, request: HttpRequest, obj: AuditEvent | None = None) -> tuple[str, ...]:
        return (
            "at",
            self._actor_field(request),
            "action",
            "target_type",
            "target_id",
            "site",
            "agency",
            "data",
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: AuditEvent | None = None
    ) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> AuditEvent | None:
        event = super().get_object(request, object_id, from_field)
        if event is not None and not may_export_personal_data(request.user):
            # The page's title and breadcrumbs show str(event), which holds the
            # label; the row is read-only, so this copy is never saved.
            event.actor_label = shown_actor(event, personal=False)
        return event

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        fields = ("action", "target_type", "target_id", "data")
        if may_export_personal_data(request.user):
            return ("actor_label", *fields)
        return fields

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "can_export_audit": may_export_personal_data(request.user),
        }
        return super().changelist_view(request, context)

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "ekspor.csv",
            self.admin_site.admin_view(self.export_view),
            name="core_auditevent_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        """The rows the page shows now (its filters and search, every page),
        as CSV. Only for those who may take personal data out; the export is
        itself an audit event, written before the first row goes out."""
        if not may_export_personal_data(request.user) or not self.has_view_permission(request):
            return TemplateResponse(
                request,
                "backoffice/audit/export_refused.html",
                {**self.admin_site.each_context(request), "title": _("Ekspor tidak diizinkan")},
                status=403,
            )
        changelist = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request).select_related("site", "agency")
        filters = {name: value for name, value in changelist.params.items() if name != "o"}
        record_event(
            action="audit.exported",
            actor=acting_user(request),
            data={"filters": filters, "rows": rows.count()},
        )
        stamp = clock.now().astimezone(timezone.get_current_timezone())
        response = StreamingHttpResponse(
            _csv_lines(rows.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="antre-audit-{stamp:%Y-%m-%d-%H%M}.csv"'
        )
        response["Cache-Control"] = "no-store"
        return response


class _Echo:
    def write(self, value: str) -> str:
        return value


HEADER = ("waktu", "pelaku", "tindakan", "jenis_objek", "id_objek", "gerai", "instansi", "rincian")


def _csv_lines(events: Iterator[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    zone = timezone.get_current_timezone()
    for event in events:
        yield writer.writerow(
            [
                event.at.astimezone(zone).isoformat(),
                defuse(event.actor_label),
                defuse(event.action),
                defuse(event.target_type),
                defuse(event.target_id),
                defuse(event.site.name if event.site is not None else ""),
                defuse(event.agency.name if event.agency is not None else ""),
                defuse(json.dumps(event.data, ensure_ascii=False, sort_keys=True)),
            ]
        )
