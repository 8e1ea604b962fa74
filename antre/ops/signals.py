"""Counting bookings and ticket events from model signals.

Only counting happens here (STYLE.md rule 6 keeps workflows out of signals).
The models are named by label, so this app imports no domain module.

A row is counted when it is inserted, not when its transaction commits: an
``on_commit`` callback per booking would be one more thing on the hot path,
and a booking rolls back after its insert only when a later write of the same
transaction fails (the outbox row, the audit row), which is rare enough for a
rate on a dashboard.

antre.ops.metrics is imported on first use, not when the app loads: it must
come after ``PROMETHEUS_MULTIPROC_DIR`` is set (see antre/ops/metrics.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save


def _booking_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        from antre.ops import metrics

        metrics.count_booking_created(site_id=instance.site_id)


def _ticket_event_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # The kinds are antre.onsite.models.TicketEventKind values.
    if not created or instance.kind not in {"issued", "called"}:
        return
    from antre.ops import metrics

    if instance.kind == "issued":
        metrics.count_ticket_issued(site_id=instance.site_id)
    else:
        metrics.count_ticket_called(site_id=instance.site_id)


def connect() -> None:
    post_save.connect(_booking_saved, sender="booking.Booking", dispatch_uid="ops-bookings")
    post_save.connect(
        _ticket_event_saved, sender="onsite.TicketEvent", dispatch_uid="ops-ticket-events"
    )
