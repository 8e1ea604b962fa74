import pytest

from antre.onsite.models import BoardEvent, SiteDay, Ticket
from antre.onsite.selectors import ticket_state
from antre.onsite.services import call_next, finish_service, issue_walk_in

pytestmark = pytest.mark.django_db


def walk_in(hall):
    return issue_walk_in(site=hall.site, service=hall.service_a, actor=None)


def inside(hall):
    return SiteDay.objects.get(site=hall.site).inside


def test_tickets_beyond_the_cap_wait_outside_and_are_called_in_when_a_place_frees(hall):
    tickets = [walk_in(hall) for _ in range(4)]  # room capacity 3
    assert [t.admitted_at is not None for t in tickets] == [True, True, True, False]
    assert inside(hall) == 3
    assert not ticket_state(tickets[3]).enter_now

    first = call_next(counter=hall.counter_1, actor=None)
    finish_service(ticket=first, actor=None)

    fourth = Ticket.objects.get(pk=tickets[3].pk)
    assert fourth.admitted_at is not None
    assert ticket_state(fourth).enter_now
    assert inside(hall) == 3
    admitted = BoardEvent.objects.get(kind="ticket.admitted")
    assert admitted.payload["number"] == fourth.number
    assert admitted.payload["enter_now"] is True


def test_a_free_counter_may_call_someone_still_outside(hall):
    hall.site.room_capacity = 0
    hall.site.save()
    ticket = walk_in(hall)
    assert ticket.admitted_at is None

    called = call_next(counter=hall.counter_1, actor=None)

    assert called.pk == ticket.pk
    assert called.admitted_at is not None
    finish_service(ticket=called, actor=None)
    assert inside(hall) == 0


def test_people_outside_are_called_in_in_plain_queue_order(hall):
    from antre.onsite.services import admit_next, check_in

    for _ in range(3):
        walk_in(hall)  # the room (capacity 3) is full
    outside_walk_in = walk_in(hall)
    due = check_in(site=hall.site, code=hall.booking("2026-06-02T09:00+07:00").code, actor=None)
    assert outside_walk_in.admitted_at is None
    assert due.admitted_at is None
    SiteDay.objects.filter(site=hall.site).update(inside=2)  # a place frees

    admitted = admit_next(site=hall.site)

    # A due appointment holder comes before a walk-in; no walk-in share here.
    assert admitted.pk == due.pk
