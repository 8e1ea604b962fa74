"""Sites, agencies, services and their schedules in the back office.

Who changes what (PRODUCT.md, "Who uses it"): the city admin everything; a
site admin their site (not its slug), its hours, closures, counters, the
services offered there and their schedule rules; an agency admin their
agency's services, the schedule rules of those services and closures of them.
Changing hours, closures, schedule rules or what a site offers regenerates the
future slots at once, in the same transaction as the change; a change here
that would strand a citizen's booking is refused and undone, with a link to
the schedule page (``antre.backoffice.schedule_views``), which previews it,
asks for confirmation and tells the citizens
(``antre.booking.schedule_changes.regenerate_guarded``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from antre.accounts.scopes import ALL_GRANTS
from antre.backoffice.admin.base import (
    AGENCY_WIDE,
    CITY_ONLY,
    SITE_LEVEL,
    ParentScopedInline,
    ScopedAdminMixin,
    report_slot_changes,
    staff_scope,
)
from antre.booking.policy import apply_policy, measured_no_show_rate
from antre.booking.schedule_changes import regenerate_guarded
from antre.catalog.models import (
    Agency,
    Closure,
    Counter,
    OpeningHours,
    ScheduleRule,
    Service,
    Site,
    SiteService,
    Weekday,
)

# Changes to these fields change which slots exist.
SITE_SLOT_FIELDS = frozenset({"is_active", "timezone"})
SERVICE_SLOT_FIELDS = frozenset({"is_active", "booking_opens_days"})
# The deadline reserve, overbooking and confirm-or-release (antre.booking.policy,
# antre.booking.confirmation); the first three resize future slots.
SERVICE_POLICY_FIELDS = (
    "reserve_percent",
    "reserve_window_days",
    "reserve_release_hours",
    "overbook_percent",
    "confirmation_required",
    "confirm_working_days",
    "confirm_release_hours",
)
SERVICE_SEAT_FIELDS = frozenset({"reserve_percent", "reserve_release_hours", "overbook_percent"})


class OpeningHoursInline(ParentScopedInline[OpeningHours, Site]):
    model = OpeningHours
    extra = 0
    ordering = ("weekday", "opens")


@admin.register(Site)
class SiteAdmin(ScopedAdminMixin[Site]):
    site_path = "pk"
    agency_path = "site_services__service__agency"
    write_grants = SITE_LEVEL
    add_grants = CITY_ONLY
    list_display = ("name", "slug", "timezone", "room_capacity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "address")
    inlines = (OpeningHoursInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Site | None = None) -> tuple[str, ...]:
        # The slug is in public URLs: only the city renames it.
        if staff_scope(request).is_city_admin:
            return ()
        return ("slug",)

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Site | None = None
    ) -> dict[str, Sequence[str]]:
        return {"slug": ("name",)} if staff_scope(request).is_city_admin else {}

    def after_save(
        self,
        request: HttpRequest,
        obj: Site,
        form: forms.ModelForm[Site],
        formsets: Sequence[Any],
        change: bool,
    ) -> None:
        hours_changed = any(formset.has_changed() for formset in formsets)
        if change and (hours_changed or SITE_SLOT_FIELDS & set(form.changed_data)):
            report_slot_changes(request, regenerate_guarded(site_services_within({(obj.pk, None)})))


@admin.register(Agency)
class AgencyAdmin(ScopedAdminMixin[Agency]):
    site_path = "services__site_services__site"
    agency_path = "pk"
    write_grants = CITY_ONLY
    list_display = ("name", "short_name", "slug")
    search_fields = ("name", "short_name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class RequirementsField(forms.CharField):
    """A JSON list of texts edited as one requirement per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return [str(item) for item in value]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ServiceForm(forms.ModelForm[Service]):
    requirements = RequirementsField(
        label=_("persyaratan"),
        required=False,
        help_text=_("Dokumen yang harus dibawa, satu per baris."),
    )

    class Meta:
        model = Service
        fields = (
            "agency",
            "name",
            "slug",
            "description",
            "ticket_prefix",
            "duration_minutes",
            "requirements",
            "booking_opens_days",
            "booking_closes_minutes",
            "walk_in_allowed",
            "walk_in_daily_quota",
            *SERVICE_POLICY_FIELDS,
            "high_demand",
            "release_window_hours",
            "is_active",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        overbook = self.fields.get("overbook_percent")
        if overbook is not None and self.instance.pk:
            # The cap beside the field: the admin sees what the model will allow.
            measured = measured_no_show_rate(service=self.instance)
            overbook.help_text = format_lazy(
                "{} {}",
                overbook.help_text,
                _(
                    "Terukur: %(rate)s%% tidak hadir (%(no_shows)s dari %(bookings)s "
                    "pemesanan yang sampai harinya, 90 hari terakhir)."
                )
                % {
                    "rate": measured.percent_floor,
                    "no_shows": measured.no_shows,
                    "bookings": measured.bookings,
                },
            )


@admin.register(Service)
class ServiceAdmin(ScopedAdminMixin[Service]):
    site_path = "site_services__site"
    agency_path = "agency"
    # A service is agency-wide: an agency admin limited to one site sees it
    # but does not change it for every site.
    write_grants = AGENCY_WIDE
    form = ServiceForm
    list_display = ("name", "agency", "ticket_prefix", "duration_minutes", "is_active")
    list_filter = (("agency", admin.RelatedOnlyFieldListFilter), "is_active")
    search_fields = ("name", "slug")
    list_select_related = ("agency",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Service | None = None
    ) -> tuple[str, ...]:
        if obj is None or staff_scope(request).is_city_admin:
            return ()
        return ("slug",)

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Service | None = None
    ) -> dict[str, Sequence[str]]:
        if obj is None or staff_scope(request).is_city_admin:
            return {"slug": ("name",)}
        return {}

    def after_save(
        self,
        request: HttpRequest,
        obj: Service,
        form: forms.ModelForm[Service],
        formsets: Sequence[Any],
        change: bool,
    ) -> None:
        if change and SERVICE_SLOT_FIELDS & set(form.changed_data):
            report_slot_changes(request, regenerate_guarded(site_services_within({(None, obj.pk)})))
        if change and SERVICE_SEAT_FIELDS & set(form.changed_data):
            previous = form.initial.get("reserve_percent", obj.reserve_percent)
            for site_service in obj.site_services.select_related("site", "service"):
                apply_policy(site_service=site_service, previous_reserve_percent=previous)


@admin.register(SiteService)
class SiteServiceAdmin(ScopedAdminMixin[SiteService]):
    site_path = "site"
    agency_path = "service__agency"
    write_grants = SITE_LEVEL
    # A site admin decides which of the city's services their site offers.
    choice_paths = {"service": None}
    list_display = ("service", "site", "ticket_prefix_shown", "walk_in_quota_shown", "is_active")
    list_filter = (
        ("site", admin.RelatedOnlyFieldListFilter),
        ("service", admin.RelatedOnlyFieldListFilter),
        "is_active",
    )
    search_fields = ("service__name", "site__name")
    list_select_related = ("site", "service")

    @admin.display(description=_("awalan nomor antrean"))
    def ticket_prefix_shown(self, obj: SiteService) -> str:
        return obj.effective_ticket_prefix

    @admin.display(description=_("kuota harian tanpa janji"))
    def walk_in_quota_shown(self, obj: SiteService) -> int:
        return obj.effective_walk_in_quota

    def after_save(
        self,
        request: HttpRequest,
        obj: SiteService,
        form: forms.ModelForm[SiteService],
        formsets: Sequence[Any],
        change: bool,
    ) -> None:
        report_slot_changes(request, regenerate_guarded([obj]))


class CounterForm(forms.ModelForm[Counter]):
    class Meta:
        model = Counter
        fields = ("site", "number", "name", "site_services", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        site = cleaned.get("site")
        site_services = cleaned.get("site_services") or []
        foreign = [item for item in site_services if site is not None and item.site_id != site.pk]
        if foreign:
            self.add_error(
                "site_services",
                _("Loket hanya dapat melayani layanan gerainya sendiri: %(services)s.")
                % {"services": ", ".join(str(item) for item in foreign)},
            )
        return cleaned


@admin.register(Counter)
class CounterAdmin(ScopedAdminMixin[Counter]):
    site_path = "site"
    agency_path = "site_services__service__agency"
    write_grants = SITE_LEVEL
    form = CounterForm
    list_display = ("number", "name", "site", "is_active")
    list_filter = (("site", admin.RelatedOnlyFieldListFilter), "is_active")
    filter_horizontal = ("site_services",)
    list_select_related = ("site",)


@admin.register(Closure)
class ClosureAdmin(ScopedAdminMixin[Closure]):
    site_path = "site"
    agency_path = "service__agency"
    # Every admin sees the closures that touch them, city-wide ones included,
    # and changes those within their authority: a site admin their site's, an
    # agency admin those of their services.
    shared_when_null = True
    write_grants = ALL_GRANTS
    list_display = ("start_date", "end_date", "reason", "site_shown", "service_shown", "source")
    list_filter = ("source",)
    search_fields = ("reason",)
    list_select_related = ("site", "service")
    date_hierarchy = "start_date"

    def get_form(
        self, request: HttpRequest, obj: Closure | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Closure]]:
        """Say which of site and service this admin must fill: an empty one
        means "all", which only a grant over all of them may close (a site
        admin closes any service of their site, an agency admin their
        service at any site)."""
        form = super().get_form(request, obj, change, **kwargs)
        scope = staff_scope(request)
        if not scope.is_city_admin:
            fields = form.base_fields
            if "site" in fields:
                fields["site"].help_text = (
                    _("Kosongkan untuk menutup layanan itu di semua gerai.")
                    if scope.agency_ids
                    else _("Wajib: gerai yang Anda kelola.")
                )
            if "service" in fields:
                fields["service"].help_text = (
                    _("Kosongkan untuk menutup semua layanan di gerai itu.")
                    if scope.site_ids
                    else _("Wajib: layanan instansi Anda.")
                )
        return form

    @admin.display(description=_("gerai"), ordering="site__name")
    def site_shown(self, obj: Closure) -> str:
        return str(obj.site) if obj.site is not None else str(_("Semua gerai"))

    @admin.display(description=_("layanan"), ordering="service__name")
    def service_shown(self, obj: Closure) -> str:
        return str(obj.service) if obj.service is not None else str(_("Semua layanan"))

    def after_save(
        self,
        request: HttpRequest,
        obj: Closure,
        form: forms.ModelForm[Closure],
        formsets: Sequence[Any],
        change: bool,
    ) -> None:
        reach = {(obj.site_id, obj.service_id)}
        if change:
            # Reopen what the closure covered before it was moved.
            reach.add((form.initial.get("site"), form.initial.get("service")))
        report_slot_changes(request, regenerate_guarded(site_services_within(reach)))

    def after_delete(self, request: HttpRequest, objects: Iterable[Closure]) -> None:
        reach = {(obj.site_id, obj.service_id) for obj in objects}
        report_slot_changes(request, regenerate_guarded(site_services_within(reach)))


def site_services_within(reach: Iterable[tuple[int | None, int | None]]) -> list[SiteService]:
    """The site services of every ``(site_id, service_id)``; ``None`` is all."""
    found: dict[int, SiteService] = {}
    for site_id, service_id in set(reach):
        rows = SiteService.objects.select_related("site", "service")
        if site_id is not None:
            rows = rows.filter(site_id=site_id)
        if service_id is not None:
            rows = rows.filter(service_id=service_id)
        found.update((item.pk, item) for item in rows)
    return list(found.values())


class ScheduleRuleForm(forms.ModelForm[ScheduleRule]):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("hari"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ScheduleRule
        fields = (
            "site_service",
            "weekdays",
            "starts_at",
            "ends_at",
            "slot_minutes",
            "capacity",
            "valid_from",
            "valid_until",
        )


@admin.register(ScheduleRule)
class ScheduleRuleAdmin(ScopedAdminMixin[ScheduleRule]):
    site_path = "site_service__site"
    agency_path = "site_service__service__agency"
    write_grants = ALL_GRANTS
    form = ScheduleRuleForm
    list_display = (
        "site_service",
        "weekdays_shown",
        "starts_at",
        "ends_at",
        "slot_minutes",
        "capacity",
        "valid_from",
        "valid_until",
        "schedule_link",
    )
    list_filter = (
        ("site_service__site", admin.RelatedOnlyFieldListFilter),
        ("site_service__service", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("site_service__site", "site_service__service")

    @admin.display(description=_("hari"))
    def weekdays_shown(self, obj: ScheduleRule) -> str:
        labels = dict(Weekday.choices)
        return ", ".join(str(labels[day]) for day in sorted(obj.weekdays) if day in labels)

    @admin.display(description=_("pratinjau perubahan"))
    def schedule_link(self, obj: ScheduleRule) -> str:
        # The page that previews a change and tells the citizens it strands.
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:schedule", args=[obj.site_service_id]),
            _("Halaman jadwal"),
        )

    def after_save(
        self,
        request: HttpRequest,
        obj: ScheduleRule,
        form: forms.ModelForm[ScheduleRule],
        formsets: Sequence[Any],
        change: bool,
    ) -> None:
        reach = [obj.site_service]
        previous = form.initial.get("site_service")
        if change and previous is not None and previous != obj.site_service_id:
            reach.append(SiteService.objects.select_related("site", "service").get(pk=previous))
        report_slot_changes(request, regenerate_guarded(reach))

    def after_delete(self, request: HttpRequest, objects: Iterable[ScheduleRule]) -> None:
        reach = SiteService.objects.select_related("site", "service").filter(
            pk__in={obj.site_service_id for obj in objects}
        )
        report_slot_changes(request, regenerate_guarded(reach))
