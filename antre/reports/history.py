"""Demo history: the weeks before today at every site, as if antre had been
running, so that the reports, the dashboard's neighbours and the planner have
something to show on a fresh ``make run``.

For each past open day of each site it writes what the real flow would have
left behind: the day's slots (from the schedule rules), bookings (anonymous:
no citizen; some cancelled, some never collected), tickets for the bookings
that came and for walk-ins, every ticket event (issued, admitted, called,
recalled, started, finished, no show), and a shift per counter. How busy a
day is follows the counters: each service gets about as many visitors as its
counters can serve at a weekday's load (Mondays busiest), appointment
holders come up to twenty minutes before their slot, walk-ins peak in the
morning, and service takes about the service's typical duration
(``antre.reports.history_day`` plays the day out).

Idempotent: a site's day that already has a ticket is left alone, so a second
run writes nothing and a run some days later fills in only the new past days.
Deterministic: each site's day draws from its own seed. Written in bulk
(``antre.reports.bulk``) in one transaction: about five seconds for the demo
city's three weeks on SQLite (some 7,000 tickets, 35,000 events).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from antre.booking.models import Booking, Slot
from antre.catalog.models import Site
from antre.core import clock
from antre.onsite.models import CounterShift, Ticket, TicketEvent, new_public_id
from antre.reports.bulk import insert_rows
from antre.reports.history_site import Rows, SiteHistory, local_time, play_day

HISTORY_DAYS = 21


@dataclass
class HistorySummary:
    """What a run wrote (``days`` site-days) and left alone (``skipped``)."""

    days: int = 0
    skipped: int = 0
    slots: int = 0
    bookings: int = 0
    tickets: int = 0
    events: int = 0
    shifts: int = 0


def _write(
    site: Site,
    window: tuple[dt.datetime, dt.datetime],
    days: tuple[dt.date, dt.date],
    rows: Rows,
    summary: HistorySummary,
) -> None:
    """Slots, then bookings (which point at slots), then tickets (at bookings),
    then events (at tickets), then shifts."""
    insert_rows(
        Slot,
        ("site_service", "rule", "start", "end", "capacity", "booked", "is_open"),
        (
            (
                slot.site_service_id,
                slot.rule_id,
                slot.start,
                slot.end,
                slot.capacity,
                slot.booked,
                True,
            )
            for slot in rows.slots
        ),
    )
    slot_ids = {
        (site_service_id, start): pk
        for site_service_id, start, pk in Slot.objects.filter(
            site_service__site=site, start__gte=window[0], start__lt=window[1]
        ).values_list("site_service_id", "start", "pk")
    }
    for slot in rows.slots:
        slot.pk = slot_ids[(slot.site_service_id, slot.start)]
        slot._state.adding = False
    Slot.objects.bulk_update(rows.touched_slots, ["booked"], batch_size=2000)
    Booking.objects.bulk_create(rows.bookings, batch_size=2000)
    insert_rows(
        Ticket,
        (
            "public_id",
            "site",
            "service",
            "service_date",
            "prefix",
            "sequence",
            "kind",
            "booking",
            "due_at",
            "status",
            "priority",
            "issued_at",
            "queued_at",
            "admitted_at",
            "left_at",
            "called_at",
            "started_at",
            "finished_at",
            "counter",
            "recall_count",
        ),
        (
            (
                new_public_id(),
                site.pk,
                row.service_id,
                row.date,
                row.prefix,
                row.sequence,
                row.kind,
                row.booking.pk if row.booking is not None else None,
                row.due_at,
                row.status,
                row.priority,
                row.issued,
                row.issued,
                row.admitted,
                row.left,
                row.called,
                row.started,
                row.finished,
                row.counter_id,
                row.recall_count,
            )
            for row in rows.tickets
        ),
    )
    ticket_ids = {
        (service_id, day, sequence): pk
        for service_id, day, sequence, pk in Ticket.objects.filter(
            site=site, service_date__range=days
        ).values_list("service_id", "service_date", "sequence", "pk")
    }
    insert_rows(
        TicketEvent,
        ("ticket", "kind", "at", "site", "service", "counter", "actor"),
        (
            (
                ticket_ids[(row.service_id, row.date, row.sequence)],
                kind,
                moment,
                site.pk,
                row.service_id,
                counter_id,
                actor_id,
            )
            for row in rows.tickets
            for kind, moment, counter_id, actor_id in row.events
        ),
    )
    CounterShift.objects.bulk_create(rows.shifts, batch_size=2000)
    summary.slots += len(rows.slots)
    summary.bookings += len(rows.bookings)
    summary.tickets += len(rows.tickets)
    summary.events += sum(len(row.events) for row in rows.tickets)
    summary.shifts += len(rows.shifts)


def generate_history(
    *,
    days: int = HISTORY_DAYS,
    sites: Iterable[Site] | None = None,
    today: dt.date | None = None,
) -> HistorySummary:
    """Play out the ``days`` days before today (each site's own today, unless
    ``today`` is given) at ``sites`` (every active site by default). One
    transaction; see the module docstring for what it writes."""
    summary = HistorySummary()
    chosen = list(sites) if sites is not None else list(Site.objects.filter(is_active=True))
    with transaction.atomic():
        for site in chosen:
            last = (today or clock.today(site.timezone)) - dt.timedelta(days=1)
            first = last - dt.timedelta(days=days - 1)
            done = set(
                Ticket.objects.filter(site=site, service_date__range=(first, last))
                .values_list("service_date", flat=True)
                .distinct()
            )
            place = SiteHistory.load(site, first, last)
            window_start = local_time(first, dt.time.min, site)
            window_end = local_time(last + dt.timedelta(days=1), dt.time.min, site)
            existing = {
                (slot.site_service_id, slot.start): slot
                for slot in Slot.objects.filter(
                    site_service__site=site, start__gte=window_start, start__lt=window_end
                )
            }
            rows = Rows()
            for offset in range(days):
                day = first + dt.timedelta(days=offset)
                if day in done:
                    summary.skipped += 1
                    continue
                if day in place.calendar.closed_all or not place.calendar.ranges(day):
                    continue
                before = len(rows.tickets)
                play_day(place, day, existing, rows)
                if len(rows.tickets) > before:
                    summary.days += 1
            _write(site, (window_start, window_end), (first, last), rows, summary)
    return summary
