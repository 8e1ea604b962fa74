"""The live ticket page behind the ticket's QR: no login, an Indonesian 404,
and what it says in each state of the ticket."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from antre.onsite.models import Ticket
from antre.onsite.services import (
    call_next,
    finish_service,
    issue_walk_in,
    mark_no_show,
    recall,
    start_service,
    transfer,
)
from antre.onsite.tests.conftest import Hall

pytestmark = pytest.mark.django_db


def words(client: Client, ticket: Ticket, *, fragment: bool = False) -> str:
    url = f"/antrean/{ticket.public_id}/" + ("keadaan/" if fragment else "")
    response = client.get(url)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def walk_ins(hall: Hall, count: int) -> list[Ticket]:
    return [issue_walk_in(site=hall.site, service=hall.service_a, actor=None) for _ in range(count)]


def test_an_unknown_ticket_is_an_indonesian_404(client: Client, db: None) -> None:
    response = client.get("/antrean/tidak-ada-nomor-seperti-ini/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "Nomor antrean tidak ditemukan" in content
    assert 'lang="id"' in content
    assert client.get("/antrean/tidak-ada/keadaan/").status_code == 404


def test_waiting_outside_shows_the_place_and_the_estimate(client: Client, hall: Hall) -> None:
    # The room holds three: the fifth waits outside, four people before it.
    mine = walk_ins(hall, 5)[-1]

    text = words(client, mine)

    assert "A-005" in text
    assert hall.service_a.name in text
    assert hall.site.name in text
    assert "Silakan menunggu di luar" in text
    assert "SILAKAN MASUK" not in text
    assert "Ada 4 orang sebelum Anda" in text
    # Four ahead, no counter open yet (one is assumed): 4 x 15 minutes.
    assert "sekitar pukul 10.05 WIB" in text
    assert "Menunggu" in text
    assert "Diperbarui pukul 09.05 WIB" in text


def test_an_early_appointment_is_told_when_it_moves_ahead_of_the_walk_ins(
    client: Client, hall: Hall
) -> None:
    from antre.onsite.services import check_in

    walk_ins(hall, 4)
    booking = hall.booking("2026-06-02T09:30+07:00")
    early = check_in(site=hall.site, code=booking.code, actor=None)  # 09:05, due 09:20

    text = words(client, early)

    assert "Ada 4 orang sebelum Anda" in text
    assert "Mulai pukul 09.20 WIB Anda didahulukan" in text
    assert "Mulai pukul" not in words(client, walk_ins(hall, 1)[0])


def test_inside_it_says_come_in(client: Client, hall: Hall) -> None:
    first = walk_ins(hall, 1)[0]

    text = words(client, first)

    assert "SILAKAN MASUK" in text
    assert "Anda berikutnya" in text


def test_called_it_says_which_counter(client: Client, hall: Hall) -> None:
    first = walk_ins(hall, 1)[0]
    call_next(counter=hall.counter_2, actor=None)

    text = words(client, first, fragment=True)

    assert "Nomor Anda dipanggil" in text
    assert "Silakan menuju Loket 2" in text
    assert "Dipanggil" in text
    recall(ticket=first, actor=None)
    assert "Silakan menuju Loket 2" in words(client, first)


def test_serving_done_and_no_show(client: Client, hall: Hall) -> None:
    first, second = walk_ins(hall, 2)
    call_next(counter=hall.counter_1, actor=None)
    start_service(ticket=first, actor=None)
    assert "Sedang dilayani di Loket 1" in words(client, first)
    finish_service(ticket=first, actor=None)
    assert "Selesai dilayani. Terima kasih." in words(client, first)

    call_next(counter=hall.counter_1, actor=None)
    second.refresh_from_db()
    for _ in range(hall.site.no_show_after_recalls):
        recall(ticket=second, actor=None)
    mark_no_show(ticket=second, actor=None)
    assert "Nomor ini dilewati" in words(client, second)


def test_a_transferred_ticket_names_and_leads_to_the_new_one(client: Client, hall: Hall) -> None:
    hall.service_b.name = "SKCK"
    hall.service_b.save()
    first = walk_ins(hall, 1)[0]
    new = transfer(ticket=first, service=hall.service_b, actor=None)
    assert new.number == "B-001"

    content = client.get(f"/antrean/{first.public_id}/").content.decode()
    text = words(client, first)

    assert "Dialihkan ke SKCK" in text
    assert "Nomor antrean Anda yang baru: B-001" in text
    assert re.search(rf'<a href="/antrean/{new.public_id}/">\s*Ikuti nomor B-001\s*</a>', content)


def test_the_page_follows_the_tickets_stream_and_polls_without_it(
    client: Client, hall: Hall
) -> None:
    first = walk_ins(hall, 1)[0]

    content = client.get(f"/antrean/{first.public_id}/").content.decode()

    assert f'"eventsUrl": "/api/v1/tickets/{first.public_id}/events"' in content
    assert f'"statusUrl": "/antrean/{first.public_id}/keadaan/"' in content
    assert '"pollSeconds": 15' in content
    assert 'aria-live="polite"' in content
    fragment = client.get(f"/antrean/{first.public_id}/keadaan/").content.decode()
    assert fragment.lstrip().startswith('<article id="ticket-live"')
    assert "<html" not in fragment


def test_the_page_in_english(client: Client, hall: Hall) -> None:
    first = walk_ins(hall, 2)[-1]
    client.cookies["django_language"] = "en"

    text = words(client, first)

    assert "Your queue number" in text
    assert "1 person before you" in text
