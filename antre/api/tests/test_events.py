"""The event streams: GET /sites/{site}/events and GET /tickets/{public_id}/events.

The first tests read a stream's opening through Django's test client with the
stream's time cut to zero (the opening is written before the stream goes
live, so nothing waits). The others serve ``config.asgi:application`` with
uvicorn (``asgi_live_server``) and read the stream as a browser would, while
the test calls tickets through the API.

The clock is frozen at Tuesday 2026-06-02 09:05 WIB.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from antre.accounts.tokens import create_api_token
from antre.api import events as streams
from antre.api.tests.conftest import assert_problem
from antre.api.tests.onsite_floor import build_floor
from antre.onsite import services
from antre.onsite.models import BoardEvent
from antre.testing.asgi import open_event_stream, parse_event_stream

NOW = "2026-06-02T09:05:00+07:00"
SITE_EVENTS = "/api/v1/sites/gerai-s/events"
TICKET_DATA_KEYS = {"number", "service", "status", "counter", "called_at", "enter_now"}


@pytest.fixture
def floor(city):
    return build_floor(city)


@pytest.fixture
def board(caller, city):
    return caller(city.board_s)


def latest_id() -> int:
    return BoardEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"}


# --- the opening, through the test client ------------------------------------------


@pytest.fixture
def opening_only(monkeypatch):
    """Streams end right after their opening."""
    monkeypatch.setattr(streams, "STREAM_SECONDS", 0)


def read_stream(response: Any) -> tuple[Any, list[Any]]:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    return parse_event_stream(b"".join(response).decode())


pytestmark = pytest.mark.filterwarnings(
    # The test client is WSGI: it collects an async stream (here: its opening).
    "ignore:StreamingHttpResponse must consume asynchronous iterators"
)


def test_a_new_connection_opens_with_retry_and_the_whole_board(opening_only, board, floor):
    floor.walk_in()
    floor.call()

    response = board.get("/sites/gerai-s/events")
    parser, events = read_stream(response)

    assert response["Cache-Control"] == "no-cache, no-transform"
    assert parser.retry == 2000
    assert [event.event for event in events] == ["board.updated"]
    assert events[0].id == str(latest_id())
    assert events[0].json() == board.get("/sites/gerai-s/board").json()


def test_a_reconnect_replays_what_was_missed_and_one_board_update(opening_only, board, floor):
    floor.walk_in()
    floor.walk_in()
    seen = latest_id()
    called = floor.call()  # ticket.called, board.updated
    services.recall(ticket=called, actor=None)  # ticket.recalled
    floor.walk_in()  # board.updated

    _parser, events = read_stream(
        board.client.get(SITE_EVENTS, headers={**board.headers(), "Last-Event-ID": str(seen)})
    )

    assert [event.event for event in events] == [
        "ticket.called",
        "ticket.recalled",
        "board.updated",
    ]
    ids = [int(event.id) for event in events]
    assert ids == sorted(ids)
    assert ids[-1] == latest_id()
    data = events[0].json()
    assert set(data) == TICKET_DATA_KEYS  # no public id: boards are public
    assert data == {
        "number": "A-001",
        "service": "layanan-a",
        "status": "called",
        "counter": 1,
        "called_at": NOW,
        "enter_now": True,
    }
    assert events[2].json()["waiting"] == {"layanan-a": 2}


def test_the_last_event_id_may_come_in_the_query_and_the_header_wins(opening_only, board, floor):
    floor.walk_in()
    seen = latest_id()
    floor.call()

    _parser, from_query = read_stream(board.get("/sites/gerai-s/events", last_event_id=seen))
    _parser, from_header = read_stream(
        board.client.get(
            f"{SITE_EVENTS}?last_event_id=0",
            headers={**board.headers(), "Last-Event-ID": str(seen)},
        )
    )

    assert [event.event for event in from_query] == ["ticket.called", "board.updated"]
    assert [event.event for event in from_header] == ["ticket.called", "board.updated"]


@pytest.mark.parametrize("case", ["unknown id", "too old", "too many"])
def test_a_reconnect_that_cannot_be_replayed_starts_afresh(
    opening_only, board, floor, frozen_clock, monkeypatch, case
):
    floor.walk_in()
    seen = latest_id()
    floor.call()
    floor.walk_in()
    if case == "unknown id":
        seen += 1000
    elif case == "too old":
        frozen_clock.advance(minutes=16)
    else:
        monkeypatch.setattr(streams, "REPLAY_LIMIT", 2)

    _parser, events = read_stream(
        board.client.get(SITE_EVENTS, headers={**board.headers(), "Last-Event-ID": str(seen)})
    )

    assert [(event.event, event.id) for event in events] == [("board.updated", str(latest_id()))]


def test_a_stream_of_an_unknown_site_is_404(board, floor):
    assert_problem(board.get("/sites/tidak-ada/events"), 404, "not_found")


def test_a_negative_last_event_id_is_invalid_input(board, floor):
    assert_problem(board.get("/sites/gerai-s/events", last_event_id=-1), 422, "invalid_input")


def test_the_ticket_stream_opens_with_the_tickets_state(opening_only, caller, floor):
    floor.walk_in()
    ticket = floor.walk_in()

    _parser, events = read_stream(caller(None).get(f"/tickets/{ticket.public_id}/events"))

    assert [event.event for event in events] == ["ticket.state"]
    assert events[0].id == str(latest_id())
    assert events[0].json() == {
        "number": "A-002",
        "status": "waiting",
        "position": 2,
        "estimated_call_at": "2026-06-02T09:20:00+07:00",
        "enter_now": True,
        "counter": None,
        "called_at": None,
        "transferred_to": None,
    }


def test_a_ticket_stream_replays_only_the_tickets_own_events(opening_only, caller, floor):
    first = floor.walk_in()
    mine = floor.walk_in()
    seen = latest_id()
    floor.call()  # calls the first
    floor.call(floor.counter_ab)  # calls mine

    response = Client().get(
        f"/api/v1/tickets/{mine.public_id}/events", headers={"Last-Event-ID": str(seen)}
    )
    _parser, events = read_stream(response)

    assert [event.event for event in events] == ["ticket.called", "ticket.state"]
    assert events[0].json()["number"] == mine.number != first.number
    assert events[0].json()["counter"] == 2
    assert events[1].json()["status"] == "called"


def test_the_stream_of_a_finished_ticket_is_204_so_browsers_stop(caller, floor):
    ticket = floor.called()
    services.finish_service(ticket=ticket, actor=None)

    response = caller(None).get(f"/tickets/{ticket.public_id}/events")

    assert response.status_code == 204
    assert response.content == b""


def test_the_stream_of_a_ticket_of_a_past_day_is_204(caller, floor, frozen_clock):
    ticket = floor.walk_in()
    frozen_clock.advance(dt.timedelta(days=1))

    assert caller(None).get(f"/tickets/{ticket.public_id}/events").status_code == 204


def test_the_stream_of_an_unknown_ticket_is_404(caller, floor):
    assert_problem(caller(None).get("/tickets/not-a-ticket/events"), 404, "not_found")


# --- live, over ASGI --------------------------------------------------------------------


def test_a_board_receives_a_call_as_it_happens(asgi_live_server, caller, city, floor):
    floor.walk_in()
    officer = caller(city.officer_s_a)

    with open_event_stream(
        asgi_live_server.url, SITE_EVENTS, headers=bearer(city.board_s)
    ) as stream:
        assert stream.status == 200
        assert stream.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        opening = stream.next_event()
        assert opening.event == "board.updated"
        assert opening.json()["waiting"] == {"layanan-a": 1}

        response = officer.post(f"/counters/{floor.counter_a.pk}/call-next")
        assert response.status_code == 200

        called = stream.next_event(timeout=5)
        update = stream.next_event(timeout=5)

    assert stream.parser.retry == 2000
    assert called.event == "ticket.called"
    assert called.json() == {
        "number": "A-001",
        "service": "layanan-a",
        "status": "called",
        "counter": 1,
        "called_at": NOW,
        "enter_now": True,
    }
    assert int(called.id) > int(opening.id)
    assert update.event == "board.updated"
    assert update.json()["called"] == [
        {"number": "A-001", "counter": 1, "called_at": NOW, "service": "layanan-a"}
    ]
    assert update.json()["waiting"] == {}


def test_a_board_that_reconnects_gets_what_it_missed_then_goes_live(asgi_live_server, city, floor):
    floor.walk_in()
    floor.walk_in()
    headers = bearer(city.board_s)
    with open_event_stream(asgi_live_server.url, SITE_EVENTS, headers=headers) as first:
        last_seen = first.next_event().id
    # Missed while away: a call and a recall.
    called = floor.call()
    services.recall(ticket=called, actor=None)

    with open_event_stream(
        asgi_live_server.url, SITE_EVENTS, headers={**headers, "Last-Event-ID": last_seen}
    ) as second:
        replayed = [second.next_event() for _ in range(3)]
        floor.call(floor.counter_ab)
        live = second.until("ticket.called", timeout=5)

    assert [event.event for event in replayed] == [
        "ticket.called",
        "board.updated",
        "ticket.recalled",
    ]
    assert replayed[0].json()["number"] == "A-001"
    assert replayed[2].json()["number"] == "A-001"
    assert live.json()["number"] == "A-002"
    assert live.json()["counter"] == 2


def test_a_ticket_page_follows_its_place_and_its_call(asgi_live_server, floor):
    floor.walk_in()
    mine = floor.walk_in()

    with open_event_stream(
        asgi_live_server.url, f"/api/v1/tickets/{mine.public_id}/events"
    ) as page:
        opening = page.next_event()
        floor.call()  # the other ticket: mine moves up, no call for me
        moved = page.next_event(timeout=5)
        floor.call(floor.counter_ab)  # mine
        called = page.next_event(timeout=5)
        state = page.next_event(timeout=5)

    assert (opening.event, opening.json()["position"]) == ("ticket.state", 2)
    assert (moved.event, moved.json()["position"]) == ("ticket.state", 1)
    assert called.event == "ticket.called"
    assert called.json()["number"] == "A-002"
    assert called.json()["counter"] == 2
    assert state.event == "ticket.state"
    assert state.json()["status"] == "called"
    assert state.json()["counter"] == 2


def test_a_ticket_stream_ends_when_the_ticket_is_done(asgi_live_server, floor):
    ticket = floor.called()

    with open_event_stream(
        asgi_live_server.url, f"/api/v1/tickets/{ticket.public_id}/events"
    ) as page:
        page.next_event()
        services.finish_service(ticket=ticket, actor=None)
        changed = page.until("ticket.state", timeout=5)
        with pytest.raises(EOFError):
            page.next_event(timeout=5)

    assert changed.json()["status"] == "done"


def test_a_signed_in_counter_page_streams_with_its_session(asgi_live_server, city, floor):
    browser = Client()
    browser.force_login(city.officer_s_a)
    cookie = browser.cookies["sessionid"].value

    with open_event_stream(
        asgi_live_server.url, SITE_EVENTS, headers={"Cookie": f"sessionid={cookie}"}
    ) as stream:
        assert stream.status == 200
        assert stream.next_event().event == "board.updated"


def test_a_quiet_stream_keeps_alive_and_ends_in_time(asgi_live_server, city, floor, monkeypatch):
    monkeypatch.setattr(streams, "KEEPALIVE_SECONDS", 0.2)
    monkeypatch.setattr(streams, "STREAM_SECONDS", 1.0)

    with open_event_stream(
        asgi_live_server.url, SITE_EVENTS, headers=bearer(city.board_s)
    ) as stream:
        stream.next_event()
        with pytest.raises(EOFError):
            stream.next_event(timeout=5)

    assert "keepalive" in stream.parser.comments


def test_a_stream_without_credentials_is_401_over_asgi_too(asgi_live_server, floor):
    with open_event_stream(asgi_live_server.url, SITE_EVENTS) as stream:
        assert stream.status == 401
        assert stream.headers["Content-Type"].startswith("application/problem+json")


def test_a_board_update_reads_the_room_capacity_afresh(city, floor):
    """A stream holds its site for hours: an admin's new room capacity shows
    in the next board update, not after a reload."""
    from antre.catalog.models import Site

    opened = Site.objects.get(pk=city.site_s.pk)  # as the stream opened
    floor.walk_in()
    Site.objects.filter(pk=opened.pk).update(room_capacity=1)
    batch = list(BoardEvent.objects.filter(site_id=opened.pk, kind="board.updated"))

    [message] = [m for m in streams.site_messages(opened, batch) if m.event == "board.updated"]

    assert message.data["capacity"] == 1
