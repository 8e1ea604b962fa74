"""Counting bookings and ticket events from model signals.

Only counting happens here (STYLE.md rule 6 keeps workflows out of signals).
The models are named by label, so this app imports no domain module.

A booking is counted when its transaction commits: its row is inserted
before the seat's guarded UPDATE (``antre.booking.services.create_booking``),
so in a rush every booking whose seat went to someone else between the read
and the write is inserted and rolled back. Ticket events are counted when
inserted: nothing after them in their transactions refuses.

antre.ops.metrics is imported on first use, not when the app loads: it must
come after ``PROMETHEUS_MULTIPROC_DIR`` is set (see antre/ops/metrics.py).
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save


def _booking_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        from antre.ops import metrics

        transaction.on_commit(
            functools.partial(metrics.count_booking_created, site_id=instance.site_id),
            using=kwargs.get("using"),
        )


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
