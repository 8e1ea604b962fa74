"""Property tests of the queue order (antre/onsite/queue.py, docs/queue-order.md)."""

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from antre.onsite.queue import (
    APPOINTMENT,
    WALK_IN,
    Waiting,
    call_order,
    in_queue_order,
    walk_ins_turn,
)

NOW = dt.datetime(2026, 6, 2, 2, 5, tzinfo=dt.UTC)
minutes = st.integers(min_value=-120, max_value=120)


@st.composite
def tickets(draw):
    count = draw(st.integers(0, 25))
    result = []
    for index in range(count):
        kind = draw(st.sampled_from([APPOINTMENT, WALK_IN]))
        due = NOW + dt.timedelta(minutes=draw(minutes)) if kind == APPOINTMENT else None
        result.append(
            Waiting(
                id=index + 1,
                kind=kind,
                priority=draw(st.sampled_from(["", "", "elderly", "disabled", "pregnant"])),
                queued_at=NOW + dt.timedelta(minutes=draw(minutes)),
                due_at=due,
            )
        )
    return result


def is_due_appointment(ticket):
    return ticket.kind == APPOINTMENT and ticket.due_at <= NOW


@given(tickets())
def test_due_appointments_come_before_walk_ins_and_walk_ins_before_early_ones(waiting):
    ordered = in_queue_order(waiting, NOW)
    classes = [0 if is_due_appointment(t) else 1 if t.kind == WALK_IN else 2 for t in ordered]
    assert classes == sorted(classes)


@given(tickets())
def test_priority_groups_first_within_their_class_then_first_come(waiting):
    ordered = in_queue_order(waiting, NOW)
    for before, after in itertools.pairwise(ordered):
        same_class = (is_due_appointment(before), before.kind) == (
            is_due_appointment(after),
            after.kind,
        )
        if not same_class:
            continue
        if bool(before.priority) == bool(after.priority):
            assert (before.queued_at, before.id) <= (after.queued_at, after.id)
        else:
            assert before.priority
            assert not after.priority


@given(tickets())
def test_the_order_is_a_permutation(waiting):
    assert sorted(t.id for t in in_queue_order(waiting, NOW)) == sorted(t.id for t in waiting)


@given(tickets(), st.integers(1, 5), st.lists(st.sampled_from([APPOINTMENT, WALK_IN]), max_size=6))
def test_a_walk_in_is_called_when_its_share_is_due(waiting, share, recent):
    order = call_order(waiting, NOW, recent_call_kinds=recent, walk_in_share=share)
    walk_ins = [t for t in waiting if t.kind == WALK_IN]
    owed = walk_ins_turn(recent, share=share)
    if walk_ins and owed:
        assert order[0].kind == WALK_IN
    if not walk_ins or not owed:
        assert order == in_queue_order(waiting, NOW)


def test_nobody_starves_with_a_steady_stream_of_appointments():
    """Simulate calls: with appointments always waiting, every third call is a walk-in."""
    share = 3
    walk_in = Waiting(id=999, kind=WALK_IN, priority="", queued_at=NOW)
    calls: list[str] = []
    next_id = 1
    for _ in range(30):
        due = [
            Waiting(id=next_id + i, kind=APPOINTMENT, priority="", queued_at=NOW, due_at=NOW)
            for i in range(3)
        ]
        next_id += 3
        order = call_order([walk_in, *due], NOW, recent_call_kinds=calls[::-1], walk_in_share=share)
        calls.append(order[0].kind)
    assert calls.count(WALK_IN) == 10
    assert all(calls[i : i + share].count(WALK_IN) >= 1 for i in range(30 - share + 1))


def test_a_transferred_ticket_keeps_its_place_by_original_issue_time():
    early = Waiting(id=10, kind=WALK_IN, priority="", queued_at=NOW - dt.timedelta(minutes=30))
    newer = Waiting(id=2, kind=WALK_IN, priority="", queued_at=NOW - dt.timedelta(minutes=5))
    assert [t.id for t in in_queue_order([newer, early], NOW)] == [10, 2]
