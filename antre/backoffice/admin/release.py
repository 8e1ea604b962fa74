"""Fair release rounds, read-only: each round's window, seed, requests and
result, and a re-check of its draw from what it recorded
(``antre.waitlist.release_selectors.verify_round``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from antre.backoffice.admin.base import ParentScopedInline, ScopedAdminMixin
from antre.backoffice.admin.display import site_time
from antre.waitlist.models import ReleaseRequest, ReleaseRound
from antre.waitlist.release_selectors import verify_round


class ReleaseRequestInline(ParentScopedInline[ReleaseRequest, ReleaseRound]):
    """Who asked, as far as the draw is concerned: the request number (what
    the lottery shuffles), the masked NIK, the deadline that put it first."""

    model = ReleaseRequest
    extra = 0
    can_delete = False
    fields = ("pk_shown", "nik_shown", "created_at", "deadline", "rank", "outcome", "via")
    readonly_fields = fields
    ordering = ("rank", "pk")

    @admin.display(description=_("nomor permintaan"))
    def pk_shown(self, obj: ReleaseRequest) -> int:
        return obj.pk

    @admin.display(description=_("NIK"))
    def nik_shown(self, obj: ReleaseRequest) -> str:
        return obj.citizen.nik_masked if obj.citizen is not None else "—"


@admin.register(ReleaseRound)
class ReleaseRoundAdmin(ScopedAdminMixin[ReleaseRound]):
    site_path = "site_service__site"
    agency_path = "site_service__service__agency"
    fields = (
        "site_service",
        "day",
        "opens_shown",
        "closes_shown",
        "status",
        "seats",
        "drawn_shown",
        "seed",
        "request_ids",
        "verification",
    )
    readonly_fields = fields
    list_display = ("day", "site_service", "status", "seats", "drawn_shown")
    list_filter = ("status", "day")
    list_select_related = ("site_service__site", "site_service__service")
    ordering = ("-day", "pk")
    inlines = (ReleaseRequestInline,)

    @admin.display(description=_("masa permintaan dibuka"))
    def opens_shown(self, obj: ReleaseRound) -> str:
        return site_time(obj.opens_at, obj.site_service.site)

    @admin.display(description=_("masa permintaan ditutup"))
    def closes_shown(self, obj: ReleaseRound) -> str:
        return site_time(obj.closes_at, obj.site_service.site)

    @admin.display(description=_("diundi pada"))
    def drawn_shown(self, obj: ReleaseRound) -> str:
        return site_time(obj.drawn_at, obj.site_service.site)

    @admin.display(description=_("periksa ulang undian"))
    def verification(self, obj: ReleaseRound) -> SafeString:
        """Recomputed on every view, so the page itself is the re-check."""
        if obj.pk is None or obj.status != "drawn":
            return format_html("{}", _("Belum diundi."))
        result = verify_round(obj)
        if result.valid:
            return format_html(
                "<strong>{}</strong> {} {}",
                _("Cocok."),
                _("Urutan pembagian dihitung ulang dari benih dan nomor permintaan:"),
                ", ".join(str(request_id) for request_id in result.order),
            )
        return format_html(
            "<strong>{}</strong><ul>{}</ul>",
            _("TIDAK cocok:"),
            format_html_join("", "<li>{}</li>", ((problem,) for problem in result.problems)),
        )
