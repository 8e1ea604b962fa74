"""The board page and its state for resynchronising: who may show it, what it
shows, and its query count."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from antre.accounts.models import Role
from antre.onsite.events import latest_event_id
from antre.onsite.services import call_next, finish_service, issue_walk_in
from antre.onsite.tests.conftest import Hall
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def board_url(hall: Hall) -> str:
    return f"/papan/{hall.site.slug}/"


def config(content: str) -> dict:
    found = re.search(
        r'<script id="board-config" type="application/json">(.*?)</script>', content, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


def test_a_visitor_is_sent_to_the_staff_login(client: Client, hall: Hall) -> None:
    response = client.get(board_url(hall))

    assert response.status_code == 302
    assert response["Location"] == f"/petugas/masuk/?next={board_url(hall)}"


def test_an_unknown_site_is_404(board_client: Client) -> None:
    assert board_client.get("/papan/tidak-ada/").status_code == 404


@pytest.mark.parametrize("role", [Role.BOARD, Role.OFFICER, Role.SITE_ADMIN, Role.KIOSK])
def test_the_sites_devices_and_staff_may_show_it(client: Client, hall: Hall, role: Role) -> None:
    client.force_login(f.StaffFactory(role=role, role__site=hall.site))

    assert client.get(board_url(hall)).status_code == 200


def test_another_sites_board_is_403(client: Client, hall: Hall) -> None:
    elsewhere = f.SiteFactory(slug="gerai-lain")
    client.force_login(f.StaffFactory(role=Role.BOARD, role__site=elsewhere))

    response = client.get(board_url(hall))

    assert response.status_code == 403
    assert "Akun ini tidak boleh menampilkan papan gerai ini." in response.content.decode()
    assert client.get(f"{board_url(hall)}keadaan.json").status_code == 403


def test_the_board_shows_calls_queues_the_room_and_who_may_come_in(
    board_client: Client, hall: Hall
) -> None:
    for _ in range(3):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    issue_walk_in(site=hall.site, service=hall.service_b, actor=None)  # waits outside
    first = call_next(counter=hall.counter_1, actor=None)
    call_next(counter=hall.counter_2, actor=None)
    finish_service(ticket=first, actor=None)  # B-001 may come in

    content = board_client.get(board_url(hall)).content.decode()

    assert re.search(r'class="call-latest__number" data-number="A-002">A-002<', content)
    assert "Loket 2" in content
    assert re.search(
        r'class="call__number">A-001</span><span class="call__counter">Loket 1<', content
    )
    assert re.search(
        r'data-service="ktp"><span class="waiting__prefix">A</span><span class="waiting__name">'
        + re.escape(hall.service_a.name)
        + r'</span><span class="waiting__count">1<',
        content,
    )
    # B-001 was let in; it still waits for its call, inside now.
    assert re.search(r'data-service="skck">.*?<span class="waiting__count">1<', content)
    assert '<span id="inside-count">3</span>/<span id="inside-capacity">3</span>' in content
    assert "Penuh: tunggu dipanggil masuk" in content
    assert '<span class="admitted">B-001</span>' in content
    assert '<time id="board-time">09.05</time>' in content
    assert "Selasa, 2 Juni 2026" in content
    # Until sound is switched on nothing is read out, and the board says so.
    assert re.search(
        r'<button type="button" class="board-sound" id="sound-button" hidden>\s*'
        r'<span class="board-sound__warning">Suara mati: panggilan tidak diumumkan</span>\s*'
        r'<span class="board-sound__action">Tekan di sini untuk mengaktifkan suara</span>',
        content,
    )
    # Inside the header, in the layout's flow (not over the calls and queues).
    assert content.index('id="sound-button"') < content.index("</header>")

    settings = config(content)
    assert settings["eventsUrl"] == "/api/v1/sites/mpp/events"
    assert settings["lastEventId"] == latest_event_id(site_id=hall.site.pk)
    assert settings["timezone"] == "Asia/Jakarta"
    assert settings["manifestUrl"].endswith("board/audio/id/manifest.json")
    assert settings["texts"]["angka/21"] == "dua puluh satu"
    assert settings["strings"]["counter"] == "Loket %(counter)s"
    assert settings["services"]["ktp"] == {"name": hall.service_a.name, "prefix": "A"}
    # More services waiting than fit: the list turns pages (board.js).
    assert settings["waitingPageSeconds"] == 8
    assert settings["strings"]["waitingPage"] == "Halaman %(page)s dari %(pages)s"
    assert '<p class="board-waiting__page" id="waiting-page" hidden></p>' in content
    assert [call["number"] for call in settings["state"]["called"]] == ["A-002", "A-001"]


def test_the_board_page_costs_a_fixed_number_of_queries(
    board_client: Client, hall: Hall, django_assert_num_queries
) -> None:
    for _ in range(4):
        issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    call_next(counter=hall.counter_1, actor=None)
    board_client.get(board_url(hall))

    # session, user, roles, site, the snapshot's three, the services, the
    # admitted, the last event id.
    with django_assert_num_queries(10):
        board_client.get(board_url(hall))


def test_the_state_for_a_reconnecting_board(board_client: Client, hall: Hall) -> None:
    issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    call_next(counter=hall.counter_1, actor=None)

    state = board_client.get(f"{board_url(hall)}keadaan.json").json()

    assert state["called"] == [
        {
            "number": "A-001",
            "counter": 1,
            "called_at": "2026-06-02T09:05:00+07:00",
            "service": "ktp",
        }
    ]
    assert state["inside"] == 1
    assert state["capacity"] == 3
    assert state["admitted"] == []
    assert state["last_event_id"] == latest_event_id(site_id=hall.site.pk)


def test_the_state_says_401_when_the_session_is_gone(client: Client, hall: Hall) -> None:
    assert client.get(f"{board_url(hall)}keadaan.json").status_code == 401
