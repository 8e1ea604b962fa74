import threading

import pytest
from django.db import connections

from antre.booking.models import BookingStatus
from antre.core.errors import DomainError
from antre.onsite import errors
from antre.onsite.models import BoardEvent, Ticket, TicketEvent, TicketStatus
from antre.onsite.services import (
    call_next,
    check_in,
    finish_service,
    issue_walk_in,
    mark_no_show,
    pause_counter,
    recall,
    resume_counter,
    start_service,
    transfer,
)
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def walk_in(hall, service=None, priority=""):
    return issue_walk_in(
        site=hall.site, service=service or hall.service_a, actor=None, priority=priority
    )


def test_call_next_calls_in_queue_order_and_announces_it(hall):
    first = walk_in(hall)
    walk_in(hall)

    called = call_next(counter=hall.counter_1, actor=hall.officer)

    assert called.pk == first.pk
    assert called.status == TicketStatus.CALLED
    assert called.counter == hall.counter_1
    event = BoardEvent.objects.filter(kind="ticket.called").get()
    assert event.payload["number"] == "A-001"
    assert event.payload["counter"] == 1


def test_nobody_waiting_calls_nobody(hall):
    assert call_next(counter=hall.counter_1, actor=None) is None


def test_a_counter_calls_only_its_services(hall):
    walk_in(hall, service=hall.service_b)
    assert call_next(counter=hall.counter_1, actor=None) is None
    assert call_next(counter=hall.counter_2, actor=None).number == "B-001"


def test_a_busy_counter_must_finish_first(hall):
    walk_in(hall)
    walk_in(hall)
    call_next(counter=hall.counter_1, actor=None)
    with pytest.raises(errors.CounterBusy):
        call_next(counter=hall.counter_1, actor=None)


def test_a_paused_counter_calls_nobody(hall):
    walk_in(hall)
    pause_counter(counter=hall.counter_1, officer=hall.officer)
    with pytest.raises(errors.CounterPaused):
        call_next(counter=hall.counter_1, actor=None)
    resume_counter(counter=hall.counter_1, officer=hall.officer)
    assert call_next(counter=hall.counter_1, actor=None)


def test_due_appointments_before_walk_ins_before_early_appointments(hall, frozen_clock):
    early = check_in(site=hall.site, code=hall.booking("2026-06-02T09:30+07:00").code, actor=None)
    walk = walk_in(hall)
    due = check_in(site=hall.site, code=hall.booking("2026-06-02T09:00+07:00").code, actor=None)
    order = []
    for _ in range(3):
        ticket = call_next(counter=hall.counter_1, actor=None)
        order.append(ticket.pk)
        finish_service(ticket=ticket, actor=None)
    # 09:30 is due from 09:20: at 09:05 it comes after the walk-in.
    assert order == [due.pk, walk.pk, early.pk]


def test_the_whole_life_of_a_ticket(hall):
    booking = hall.booking("2026-06-02T09:30+07:00")
    ticket = check_in(site=hall.site, code=booking.code, actor=None)
    ticket = call_next(counter=hall.counter_1, actor=hall.officer)
    ticket = recall(ticket=ticket, actor=hall.officer)
    assert ticket.recall_count == 1
    ticket = start_service(ticket=ticket, actor=hall.officer)
    ticket = finish_service(ticket=ticket, actor=hall.officer)

    booking.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    assert booking.status == BookingStatus.COMPLETED
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["issued", "admitted", "called", "recalled", "started", "finished"]
    with pytest.raises(errors.InvalidTransition):
        start_service(ticket=ticket, actor=None)


def test_no_show_only_after_the_recalls(hall):
    booking = hall.booking("2026-06-02T09:30+07:00")
    check_in(site=hall.site, code=booking.code, actor=None)
    ticket = call_next(counter=hall.counter_1, actor=None)
    with pytest.raises(errors.InvalidTransition):
        mark_no_show(ticket=ticket, actor=None)
    recall(ticket=ticket, actor=None)
    recall(ticket=ticket, actor=None)
    ticket = mark_no_show(ticket=ticket, actor=None)
    booking.refresh_from_db()
    assert ticket.status == TicketStatus.NO_SHOW
    assert booking.status == BookingStatus.NO_SHOW


def test_a_transfer_keeps_the_place_in_line(hall, frozen_clock):
    moved = walk_in(hall)
    frozen_clock.advance(minutes=5)
    already_waiting = walk_in(hall, service=hall.service_b)
    called = call_next(counter=hall.counter_1, actor=None)
    assert called.pk == moved.pk

    new = transfer(ticket=called, service=hall.service_b, actor=None)

    assert new.number == "B-002"
    assert new.status == TicketStatus.WAITING
    assert new.transferred_from_id == moved.pk
    assert Ticket.objects.get(pk=moved.pk).status == TicketStatus.TRANSFERRED
    assert call_next(counter=hall.counter_2, actor=None).pk == new.pk
    assert already_waiting.queued_at > new.queued_at


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counter_count", [2, 6])
def test_officers_calling_at_once_never_share_a_ticket(hall, counter_count):
    """Calls and finishes at once while most people wait outside the room
    (cap 3): each finish lets the next one in while other counters call
    people from outside, the two lock orders that once deadlocked on
    PostgreSQL."""
    tickets = 15 * counter_count
    hall.service_a.walk_in_daily_quota = tickets
    hall.service_a.save()
    for _ in range(tickets):
        walk_in(hall)
    counters = [hall.counter_1, hall.counter_2]
    for number in range(3, counter_count + 1):
        extra = f.CounterFactory(site=hall.site, number=number)
        extra.site_services.set([hall.site_service_a])
        counters.append(extra)
    called = []
    failures = []
    barrier = threading.Barrier(counter_count)

    def work(counter):
        try:
            barrier.wait(timeout=60)
            for _ in range(tickets):
                try:
                    ticket = call_next(counter=counter, actor=None)
                except DomainError:
                    continue
                if ticket is None:
                    break
                called.append((counter.number, ticket.pk))
                finish_service(ticket=ticket, actor=None)
        except Exception as error:  # a deadlock would surface here
            failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(counter,)) for counter in counters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    ticket_ids = [pk for _number, pk in called]
    assert len(ticket_ids) == tickets
    assert len(set(ticket_ids)) == tickets
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == tickets


def test_a_recalled_walk_in_is_not_another_walk_in_turn(hall, frozen_clock):
    """The walk-in share counts tickets at their first call: recalling an
    absent walk-in at one counter must not let another counter call
    appointment holders on and on while walk-ins wait (docs/queue-order.md)."""
    absent = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    assert call_next(counter=hall.counter_1, actor=None).pk == absent.pk
    frozen_clock.advance(minutes=1)
    for _ in range(6):
        check_in(site=hall.site, code=hall.booking("2026-06-02T09:00+07:00").code, actor=None)
    waiting = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    share = hall.site.walk_in_share

    kinds = []
    for _ in range(share + 1):
        frozen_clock.advance(minutes=1)
        recall(ticket=absent, actor=None)  # counter 1 calls its absent walk-in again
        called = call_next(counter=hall.counter_2, actor=None)
        kinds.append(called.kind)
        finish_service(ticket=called, actor=None)

    assert "walk_in" in kinds
    assert Ticket.objects.get(pk=waiting.pk).status == TicketStatus.DONE
