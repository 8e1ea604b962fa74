"""The On-site API through HTTP: the kiosk (check-in, walk-ins), the counters
(call-next, pause, resume), each step of a ticket, the board, the public
ticket page; every error code of the contract; idempotency; sessions and CSRF.

The clock is frozen at Tuesday 2026-06-02 09:05 WIB; sites open 08:00-15:00.
"""

from __future__ import annotations

import pytest
from django.test import Client

from antre.api.tests.conftest import assert_problem
from antre.api.tests.onsite_floor import build_floor
from antre.booking.models import BookingStatus
from antre.core.codes import format_code
from antre.core.models import IdempotencyRecord
from antre.onsite.models import BoardEvent, Ticket, TicketStatus

NOW = "2026-06-02T09:05:00+07:00"
TICKET_KEYS = {
    # API.md, "A ticket is ..."
    "id",
    "public_id",
    "number",
    "service",
    "site",
    "status",
    "priority",
    "booking_code",
    "issued_at",
    "called_at",
    "counter",
    "position",
    "estimated_call_at",
    "enter_now",
}


@pytest.fixture
def floor(city):
    return build_floor(city)


@pytest.fixture
def kiosk(caller, city):
    return caller(city.kiosk_s)


@pytest.fixture
def officer(caller, city):
    return caller(city.officer_s_a)


# --- check-in ---------------------------------------------------------------------


def test_a_kiosk_checks_a_booking_in_and_gets_its_ticket(kiosk, floor):
    booking = floor.booking("2026-06-02T09:30:00+07:00")

    response = kiosk.post("/sites/gerai-s/checkins", {"code": format_code(booking.code).lower()})

    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get()
    assert set(body) >= TICKET_KEYS
    assert body == {
        "id": ticket.pk,
        "public_id": ticket.public_id,
        "number": "A-001",
        "service": "layanan-a",
        "service_name": "Layanan A",
        "site": "gerai-s",
        "status": "waiting",
        "kind": "appointment",
        "priority": None,
        "booking_code": booking.code,
        "issued_at": NOW,
        "called_at": None,
        "counter": None,
        "recall_count": 0,
        "position": 1,
        "estimated_call_at": NOW,
        "enter_now": True,
    }
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN


def test_a_check_in_may_name_a_priority_group(kiosk, floor):
    booking = floor.booking()

    response = kiosk.post("/sites/gerai-s/checkins", {"code": booking.code, "priority": "elderly"})

    assert response.status_code == 201
    assert response.json()["priority"] == "elderly"


@pytest.mark.parametrize("priority", ["vip", ""])
def test_an_unknown_priority_group_is_invalid_input(kiosk, floor, priority):
    booking = floor.booking()

    response = kiosk.post("/sites/gerai-s/checkins", {"code": booking.code, "priority": priority})

    body = assert_problem(response, 422, "invalid_input")
    assert body["errors"][0]["loc"][-1] == "priority"


def test_an_unknown_code_is_404_unknown_code(kiosk, floor):
    assert_problem(kiosk.post("/sites/gerai-s/checkins", {"code": "NOPE"}), 404, "unknown_code")
    assert_problem(
        kiosk.post("/sites/gerai-s/checkins", {"code": "7K3M-9QXZ4"}), 404, "unknown_code"
    )


def test_a_second_check_in_is_409_already_checked_in(kiosk, floor):
    booking = floor.booking()
    assert kiosk.post("/sites/gerai-s/checkins", {"code": booking.code}).status_code == 201

    again = kiosk.post("/sites/gerai-s/checkins", {"code": booking.code})

    assert_problem(again, 409, "already_checked_in")
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "code"),
    [
        ("2026-06-02T10:00:00+07:00", "too_early"),  # check-in opens at 09:30
        ("2026-06-02T08:30:00+07:00", "too_late"),  # it closed at 08:45
    ],
)
def test_check_in_outside_its_window_is_422(kiosk, floor, start, code):
    booking = floor.booking(start)

    assert_problem(kiosk.post("/sites/gerai-s/checkins", {"code": booking.code}), 422, code)


def test_a_booking_for_another_site_is_422_wrong_site(kiosk, floor, city):
    booking = floor.booking(site=city.site_t)

    response = kiosk.post("/sites/gerai-s/checkins", {"code": booking.code})

    assert_problem(response, 422, "wrong_site")


def test_a_cancelled_booking_is_422_cancelled(kiosk, floor):
    booking = floor.booking(status=BookingStatus.CANCELLED)

    response = kiosk.post("/sites/gerai-s/checkins", {"code": booking.code})

    assert_problem(response, 422, "cancelled")


def test_an_unknown_site_is_404(kiosk, floor):
    booking = floor.booking()

    response = kiosk.post("/sites/tidak-ada/checkins", {"code": booking.code})

    assert_problem(response, 404, "not_found")


def test_a_retried_check_in_with_its_idempotency_key_returns_the_same_ticket(kiosk, floor):
    booking = floor.booking()

    first = kiosk.post("/sites/gerai-s/checkins", {"code": booking.code}, key="scan-1")
    second = kiosk.post("/sites/gerai-s/checkins", {"code": booking.code}, key="scan-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


# --- walk-ins ----------------------------------------------------------------------


def test_a_kiosk_issues_a_walk_in_ticket(kiosk, floor):
    response = kiosk.post(
        "/sites/gerai-s/tickets", {"service": "layanan-b", "priority": "pregnant"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= TICKET_KEYS
    assert body["number"] == "B-001"
    assert body["service"] == "layanan-b"
    assert body["kind"] == "walk_in"
    assert body["priority"] == "pregnant"
    assert body["booking_code"] is None
    assert body["status"] == "waiting"
    assert body["position"] == 1


def test_a_retried_walk_in_with_its_idempotency_key_takes_one_ticket(kiosk, floor):
    first = kiosk.post("/sites/gerai-s/tickets", {"service": "layanan-a"}, key="tap-7")
    second = kiosk.post("/sites/gerai-s/tickets", {"service": "layanan-a"}, key="tap-7")
    third = kiosk.post("/sites/gerai-s/tickets", {"service": "layanan-a"}, key="tap-8")

    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert third.json()["number"] == "A-002"
    assert Ticket.objects.count() == 2


def test_the_walk_in_quota_runs_out_409(kiosk, floor, city):
    site_service = city.site_service(city.site_s, city.service_a)
    site_service.walk_in_daily_quota = 1
    site_service.save()
    assert kiosk.post("/sites/gerai-s/tickets", {"service": "layanan-a"}).status_code == 201

    response = kiosk.post("/sites/gerai-s/tickets", {"service": "layanan-a"})

    assert_problem(response, 409, "walk_in_quota_exhausted")


def test_a_walk_in_after_hours_is_422_closed(kiosk, floor, frozen_clock):
    frozen_clock.move_to("2026-06-02T16:00:00+07:00")

    response = kiosk.post("/sites/gerai-s/tickets", {"service": "layanan-a"})

    assert_problem(response, 422, "closed")


def test_a_bookings_only_service_is_422_walk_in_not_allowed(kiosk, floor, city):
    city.service_a.walk_in_allowed = False
    city.service_a.save()

    response = kiosk.post("/sites/gerai-s/tickets", {"service": "layanan-a"})

    assert_problem(response, 422, "walk_in_not_allowed")


def test_a_service_not_offered_at_the_site_is_404_unknown_service(kiosk, floor):
    response = kiosk.post("/sites/gerai-s/tickets", {"service": "tidak-ada"})

    assert_problem(response, 404, "unknown_service")


# --- counters ----------------------------------------------------------------------


def test_call_next_calls_the_next_ticket_to_the_counter(officer, floor):
    first = floor.walk_in()
    floor.walk_in()

    response = officer.post(f"/counters/{floor.counter_a.pk}/call-next")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == first.pk
    assert body["status"] == "called"
    assert body["counter"] == 1
    assert body["called_at"] == NOW
    assert body["position"] == 0
    assert body["estimated_call_at"] == NOW
    assert body["enter_now"] is True
    assert BoardEvent.objects.filter(kind="ticket.called").count() == 1


def test_call_next_with_nobody_waiting_is_204_without_a_body(officer, floor):
    response = officer.post(f"/counters/{floor.counter_a.pk}/call-next")

    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response


def test_a_replayed_204_has_no_content_type_either(officer, floor):
    path = f"/counters/{floor.counter_a.pk}/call-next"
    first = officer.post(path, key="call-1")

    again = officer.post(path, key="call-1")

    assert first.status_code == again.status_code == 204
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == b""
    assert "Content-Type" not in again


def test_a_busy_counter_is_409_counter_busy(officer, floor):
    floor.walk_in()
    floor.walk_in()
    assert officer.post(f"/counters/{floor.counter_a.pk}/call-next").status_code == 200

    response = officer.post(f"/counters/{floor.counter_a.pk}/call-next")

    assert_problem(response, 409, "counter_busy")


def test_a_paused_counter_calls_nobody_until_resumed(officer, floor):
    floor.walk_in()
    counter = floor.counter_a.pk

    paused = officer.post(f"/counters/{counter}/pause")
    refused = officer.post(f"/counters/{counter}/call-next")
    resumed = officer.post(f"/counters/{counter}/resume")
    called = officer.post(f"/counters/{counter}/call-next")

    assert paused.status_code == 200
    assert paused.json()["state"] == "paused"
    assert_problem(refused, 409, "counter_paused")
    assert resumed.json()["state"] == "open"
    assert called.status_code == 200


def test_a_counter_shows_its_state_and_its_ticket(officer, floor):
    before = officer.get(f"/counters/{floor.counter_a.pk}")
    ticket = floor.called()
    after = officer.get(f"/counters/{floor.counter_a.pk}")

    assert before.status_code == 200
    assert before.json() == {
        "id": floor.counter_a.pk,
        "number": 1,
        "name": "",
        "site": "gerai-s",
        "state": "closed",
        "services": ["layanan-a"],
        "current": None,
    }
    assert after.json()["state"] == "open"
    assert after.json()["current"]["number"] == ticket.number
    assert after.json()["current"]["status"] == "called"


def test_an_unknown_counter_is_404(officer, floor):
    assert_problem(officer.post("/counters/999999/call-next"), 404, "not_found")
    assert_problem(officer.get("/counters/999999"), 404, "not_found")


def test_call_next_costs_a_fixed_number_of_queries(officer, floor, django_assert_max_num_queries):
    for _ in range(10):
        floor.walk_in()

    # Token, roles, counter, shift, busy check, services, recent calls, queue,
    # the claim and its writes, then the ticket as answered (state, ETA).
    with django_assert_max_num_queries(30):
        response = officer.post(f"/counters/{floor.counter_a.pk}/call-next")

    assert response.status_code == 200


# --- a ticket's steps ----------------------------------------------------------------


def test_a_ticket_is_recalled_started_and_finished(officer, floor):
    ticket = floor.called()

    recalled = officer.post(f"/tickets/{ticket.pk}/recall")
    started = officer.post(f"/tickets/{ticket.pk}/start")
    finished = officer.post(f"/tickets/{ticket.pk}/finish")

    assert recalled.status_code == 200
    assert recalled.json()["recall_count"] == 1
    assert recalled.json()["status"] == "called"
    assert started.json()["status"] == "serving"
    assert finished.json()["status"] == "done"
    assert finished.json()["enter_now"] is False
    assert finished.json()["estimated_call_at"] is None
    assert BoardEvent.objects.filter(kind="ticket.recalled").count() == 1


def test_no_show_after_the_required_recalls(officer, floor):
    ticket = floor.called()

    too_soon = officer.post(f"/tickets/{ticket.pk}/no-show")
    officer.post(f"/tickets/{ticket.pk}/recall")
    officer.post(f"/tickets/{ticket.pk}/recall")
    marked = officer.post(f"/tickets/{ticket.pk}/no-show")

    assert_problem(too_soon, 409, "invalid_transition")
    assert marked.status_code == 200
    assert marked.json()["status"] == "no_show"


@pytest.mark.parametrize("step", ["recall", "start", "no-show"])
def test_a_step_from_the_wrong_status_is_409_invalid_transition(officer, floor, step):
    ticket = floor.walk_in()  # waiting, never called

    assert_problem(officer.post(f"/tickets/{ticket.pk}/{step}"), 409, "invalid_transition")


def test_finishing_twice_is_409_invalid_transition(officer, floor):
    ticket = floor.called()
    assert officer.post(f"/tickets/{ticket.pk}/finish").status_code == 200

    assert_problem(officer.post(f"/tickets/{ticket.pk}/finish"), 409, "invalid_transition")


def test_a_transfer_answers_with_the_new_ticket_waiting_in_the_other_queue(officer, floor):
    ticket = floor.called()

    response = officer.post(f"/tickets/{ticket.pk}/transfer", {"service": "layanan-b"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] != ticket.pk
    assert body["number"] == "B-001"
    assert body["service"] == "layanan-b"
    assert body["status"] == "waiting"
    assert body["counter"] is None
    assert body["position"] == 1
    assert body["enter_now"] is True  # keeps its place in the room
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.TRANSFERRED


def test_a_transfer_to_a_service_not_offered_is_404_unknown_service(officer, floor):
    ticket = floor.called()

    response = officer.post(f"/tickets/{ticket.pk}/transfer", {"service": "tidak-ada"})

    assert_problem(response, 404, "unknown_service")


def test_a_finished_ticket_cannot_be_transferred(officer, floor):
    ticket = floor.called()
    officer.post(f"/tickets/{ticket.pk}/finish")

    response = officer.post(f"/tickets/{ticket.pk}/transfer", {"service": "layanan-b"})

    assert_problem(response, 409, "invalid_transition")


def test_an_unknown_ticket_is_404(officer, floor):
    assert_problem(officer.post("/tickets/999999/start"), 404, "not_found")


# --- the board -----------------------------------------------------------------------


def test_the_board_shows_calls_waiting_and_the_room(caller, city, floor):
    floor.walk_in()
    floor.walk_in()
    floor.walk_in(city.service_b)
    floor.call(floor.counter_ab)  # A-001 to counter 2

    response = caller(city.board_s).get("/sites/gerai-s/board")

    assert response.status_code == 200
    assert response.json() == {
        "called": [{"number": "A-001", "counter": 2, "called_at": NOW, "service": "layanan-a"}],
        "waiting": {"layanan-a": 1, "layanan-b": 1},
        "inside": 3,
        "capacity": 30,
    }


def test_the_board_costs_six_queries_however_busy(caller, city, floor, django_assert_num_queries):
    board = caller(city.board_s)
    for _ in range(12):
        floor.walk_in()
    for counter in (floor.counter_a, floor.counter_ab):
        floor.call(counter)
    board.get("/sites/gerai-s/board")  # the token's last use is written once a minute

    # The token, the site, the caller's roles; then the board's three.
    with django_assert_num_queries(6):
        response = board.get("/sites/gerai-s/board")

    assert response.status_code == 200
    assert len(response.json()["called"]) == 2


# --- the public ticket page ------------------------------------------------------------


def test_anyone_with_the_public_id_sees_the_ticket(caller, floor):
    floor.walk_in()
    second = floor.walk_in()

    response = caller(None).get(f"/tickets/{second.public_id}")

    assert response.status_code == 200
    assert response.json() == {
        "number": "A-002",
        "service": "layanan-a",
        "service_name": "Layanan A",
        "site": "gerai-s",
        "site_name": "Gerai S",
        "status": "waiting",
        "position": 2,
        # One round of 15 minutes ahead (no counter open yet: one is assumed).
        "estimated_call_at": "2026-06-02T09:20:00+07:00",
        "enter_now": True,
        "issued_at": NOW,
        "called_at": None,
        "counter": None,
        "transferred_to": None,
    }


def test_the_public_ticket_says_where_to_go_once_called(caller, floor):
    ticket = floor.called(floor.counter_ab)

    body = caller(None).get(f"/tickets/{ticket.public_id}").json()

    assert body["status"] == "called"
    assert body["counter"] == 2
    assert body["called_at"] == NOW
    assert body["position"] == 0


def test_the_public_ticket_names_its_successor_after_a_transfer(caller, officer, floor):
    ticket = floor.called()
    new = officer.post(f"/tickets/{ticket.pk}/transfer", {"service": "layanan-b"}).json()

    body = caller(None).get(f"/tickets/{ticket.public_id}").json()

    assert body["status"] == "transferred"
    assert body["transferred_to"] == new["public_id"]


def test_an_unknown_public_id_is_404(caller, floor):
    floor.walk_in()

    assert_problem(caller(None).get("/tickets/not-a-ticket"), 404, "not_found")


# --- sessions and CSRF -------------------------------------------------------------------

CSRF_SECRET = "a" * 32


def test_a_signed_in_kiosk_page_posts_with_its_csrf_token(city, floor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city.kiosk_s)
    url = "/api/v1/sites/gerai-s/tickets"
    body = {"service": "layanan-a"}

    refused = browser.post(url, body, content_type="application/json")
    browser.cookies["csrftoken"] = CSRF_SECRET
    accepted = browser.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": CSRF_SECRET}
    )

    assert_problem(refused, 403, "csrf_failed")
    assert accepted.status_code == 201, accepted.content
    assert Ticket.objects.count() == 1


def test_a_signed_in_board_page_reads_without_a_csrf_token(city, floor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city.board_s)

    assert browser.get("/api/v1/sites/gerai-s/board").status_code == 200


def test_without_credentials_a_post_is_401_not_a_csrf_failure(floor):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        "/api/v1/sites/gerai-s/tickets", {"service": "layanan-a"}, content_type="application/json"
    )

    body = assert_problem(response, 401, "unauthenticated")
    assert body["status"] == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
