"""What happened, read-only: tickets, the waiting list, the outbox (the audit
log is in ``audit``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from antre.backoffice.admin.base import CITY_ONLY, ScopedAdminMixin
from antre.backoffice.admin.display import site_time
from antre.notifications.models import OutboxMessage
from antre.onsite.models import Ticket
from antre.waitlist.models import WaitlistEntry


@admin.register(Ticket)
class TicketAdmin(ScopedAdminMixin[Ticket]):
    site_path = "site"
    agency_path = "service__agency"
    fields = (
        "number",
        "site",
        "service",
        "service_date",
        "status",
        "priority",
        "booking",
        "counter",
        "issued_shown",
        "called_shown",
        "finished_shown",
        "recall_count",
    )
    readonly_fields = fields
    list_display = ("number", "service_date", "site", "service", "status", "priority", "counter")
    list_filter = (
        "status",
        "priority",
        "service_date",
        ("site", admin.RelatedOnlyFieldListFilter),
        ("service", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("site", "service", "counter__site")
    ordering = ("-service_date", "-queued_at")

    @admin.display(description=_("nomor"))
    def number(self, obj: Ticket) -> str:
        return obj.number

    @admin.display(description=_("dikeluarkan"))
    def issued_shown(self, obj: Ticket) -> str:
        return site_time(obj.issued_at, obj.site)

    @admin.display(description=_("dipanggil"))
    def called_shown(self, obj: Ticket) -> str:
        return site_time(obj.called_at, obj.site)

    @admin.display(description=_("selesai"))
    def finished_shown(self, obj: Ticket) -> str:
        return site_time(obj.finished_at, obj.site)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ScopedAdminMixin[WaitlistEntry]):
    """The backlog per service; who is waiting is not shown here."""

    site_path = "sites"
    agency_path = "service__agency"
    fields = ("service", "sites", "earliest", "latest", "auto_book", "status", "created_at")
    readonly_fields = fields
    list_display = ("service", "earliest", "latest", "status", "auto_book", "created_at")
    list_filter = ("status", ("service", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("service",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ScopedAdminMixin[OutboxMessage]):
    """Messages hold citizens' addresses and booking details: city admins only."""

    view_grants = CITY_ONLY
    list_display = ("kind", "channel", "recipient", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel", "kind")
    search_fields = ("recipient", "kind")
    exclude = ("body_html", "attachments")
    readonly_fields = (
        "message_id",
        "channel",
        "kind",
        "recipient",
        "subject",
        "body_text",
        "context",
        "rendered_at",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
    )
