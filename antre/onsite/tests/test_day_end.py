"""A visit's end reaches its booking, through transfers too; past days' open
tickets are closed; missed bookings become no-shows."""

import datetime as dt

import pytest

from antre.booking.models import Booking, BookingStatus
from antre.booking.services import create_booking, mark_missed_bookings
from antre.core.models import AuditEvent
from antre.onsite import errors
from antre.onsite.models import Ticket, TicketEvent, TicketStatus
from antre.onsite.selectors import ticket_state
from antre.onsite.services import (
    call_next,
    check_in,
    close_past_days,
    finish_service,
    issue_walk_in,
    mark_no_show,
    recall,
    start_service,
    transfer,
)

pytestmark = pytest.mark.django_db


def checked_in(hall):
    booking = hall.booking("2026-06-02T09:30+07:00")
    return booking, check_in(site=hall.site, code=booking.code, actor=None)


def test_a_transferred_visit_completes_its_booking_when_served(hall):
    booking, _ticket = checked_in(hall)
    called = call_next(counter=hall.counter_1, actor=None)
    moved = transfer(ticket=called, service=hall.service_b, actor=None)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN  # the visit goes on

    again = transfer(
        ticket=call_next(counter=hall.counter_2, actor=None), service=hall.service_a, actor=None
    )
    served = start_service(ticket=call_next(counter=hall.counter_2, actor=None), actor=None)
    assert served.pk == again.pk
    assert again.transferred_from_id == moved.pk
    finish_service(ticket=served, actor=None)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    # ... and its citizen may book the service again.
    later = hall.booking("2026-06-09T09:30+07:00").slot
    assert create_booking(citizen=booking.citizen, slot_id=later.pk).slot == later


def test_a_transferred_visit_that_nobody_answers_is_a_no_show(hall):
    booking, _ticket = checked_in(hall)
    moved = transfer(
        ticket=call_next(counter=hall.counter_1, actor=None), service=hall.service_b, actor=None
    )
    called = call_next(counter=hall.counter_2, actor=None)
    assert called.pk == moved.pk
    recall(ticket=called, actor=None)
    recall(ticket=called, actor=None)
    mark_no_show(ticket=called, actor=None)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW


def test_a_transfer_to_its_own_service_is_refused(hall):
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)

    with pytest.raises(errors.SameService):
        transfer(ticket=ticket, service=hall.service_a, actor=None)

    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_a_no_show_of_a_ticket_not_called_says_so_plainly(hall):
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)

    with pytest.raises(errors.InvalidTransition) as refused:
        mark_no_show(ticket=ticket, actor=None)

    assert "Panggil ulang" not in str(refused.value)


def test_the_next_day_yesterdays_open_tickets_are_closed(hall, frozen_clock):
    booking, appointment = checked_in(hall)
    serving = start_service(ticket=call_next(counter=hall.counter_1, actor=None), actor=None)
    assert serving.pk == appointment.pk
    issue_walk_in(site=hall.site, service=hall.service_b, actor=None)
    done = finish_service(ticket=call_next(counter=hall.counter_2, actor=None), actor=None)
    issue_walk_in(site=hall.site, service=hall.service_b, actor=None)
    called = call_next(counter=hall.counter_2, actor=None)
    waiting = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    assert close_past_days() == 0  # the day is not over

    frozen_clock.advance(dt.timedelta(days=1))
    assert ticket_state(Ticket.objects.get(pk=waiting.pk)).enter_now  # until it is closed
    assert close_past_days() == 3
    assert close_past_days() == 0  # once

    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {
        serving.pk: TicketStatus.DONE,
        done.pk: TicketStatus.DONE,
        called.pk: TicketStatus.NO_SHOW,
        waiting.pk: TicketStatus.NO_SHOW,
    }
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert not ticket_state(Ticket.objects.get(pk=waiting.pk)).enter_now
    closed = TicketEvent.objects.filter(kind="closed", actor__isnull=True)
    assert set(closed.values_list("ticket_id", flat=True)) == {serving.pk, called.pk, waiting.pk}
    # Not counted as a service or a no-show by the reports (their time is the closing).
    assert not TicketEvent.objects.filter(ticket=waiting, kind="no_show").exists()
    assert not Ticket.objects.filter(admitted_at__isnull=False, left_at__isnull=True).exists()
    # The counters start the day free.
    issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    assert call_next(counter=hall.counter_1, actor=None).number == "A-001"
    assert call_next(counter=hall.counter_2, actor=None) is None


def test_a_missed_booking_becomes_a_no_show_when_check_in_closes(hall, frozen_clock):
    missed = hall.booking("2026-06-02T10:00+07:00")
    kept = hall.booking("2026-06-02T11:00+07:00", service=hall.service_b)
    cutoff = 10 * 60 + hall.site.checkin_closes_minutes
    frozen_clock.advance(dt.timedelta(minutes=cutoff - (9 * 60 + 5) - 1))
    assert mark_missed_bookings() == 0  # it may still check in

    frozen_clock.advance(dt.timedelta(minutes=2))
    assert mark_missed_bookings() == 1
    assert mark_missed_bookings() == 0

    missed.refresh_from_db()
    kept.refresh_from_db()
    assert missed.status == BookingStatus.NO_SHOW
    assert kept.status == BookingStatus.CONFIRMED
    assert AuditEvent.objects.filter(action="booking.no_show", target_id=str(missed.pk)).exists()
    with pytest.raises(errors.TooLate):
        check_in(site=hall.site, code=missed.code, actor=None)
    # Its citizen may book the service again.
    later = hall.booking("2026-06-09T09:30+07:00").slot
    assert create_booking(citizen=missed.citizen, slot_id=later.pk).slot == later
    assert Booking.objects.filter(citizen=missed.citizen, status="confirmed").count() == 1


def test_the_jobs_are_registered():
    from antre.core.periodic import registered_jobs

    jobs = registered_jobs()
    assert jobs["antre.onsite.periodic_jobs.close_open_tickets_of_past_days"].interval == (
        dt.timedelta(minutes=15)
    )
    assert jobs["antre.booking.periodic_jobs.mark_no_shows"].interval == dt.timedelta(minutes=15)
    assert jobs["antre.waitlist.periodic_jobs.end_stale_waitlist_entries"].interval == (
        dt.timedelta(minutes=15)
    )


def test_an_early_appointment_is_expected_when_it_falls_due_not_behind_every_walk_in(hall):
    from antre.onsite.selectors import ticket_state

    for _ in range(4):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    booking = hall.booking("2026-06-02T09:30+07:00")
    early = check_in(site=hall.site, code=booking.code, actor=None)  # at 09:05, due 09:20
    assert early.due_at is not None

    state = ticket_state(early)

    assert state.position == 5  # behind the walk-ins until it is due
    assert state.estimated_call_at == early.due_at  # then first
    assert state.moves_up_at == early.due_at  # the live page says why


def test_a_walk_in_or_a_due_appointment_does_not_move_up(hall, frozen_clock):
    from antre.onsite.selectors import ticket_state

    walk_in = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    booking = hall.booking("2026-06-02T09:30+07:00")
    frozen_clock.advance(minutes=20)  # 09:25: due since 09:20
    due = check_in(site=hall.site, code=booking.code, actor=None)

    assert ticket_state(walk_in).moves_up_at is None
    assert ticket_state(due).moves_up_at is None
