"""The officer's console through its views: who may work which counter, each
action, the errors as readable messages, the shortcuts on screen, and the
query count of the refresh every counter polls."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connections
from django.test import Client

from antre.accounts.models import Role, User
from antre.counter.tests.conftest import walk_in
from antre.onsite.models import CounterShift, Ticket, TicketStatus
from antre.onsite.services import call_next, pause_counter, recall
from antre.onsite.tests.conftest import Hall
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def console_url(hall: Hall, number: int = 1) -> str:
    counter = hall.counter_1 if number == 1 else hall.counter_2
    return f"/loket/{counter.pk}/"


def act(client: Client, hall: Hall, action: str, number: int = 1, **data: object) -> str:
    response = client.post(f"{console_url(hall, number)}{action}/", data, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The visible words of a fragment, whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def current_id(client: Client, hall: Hall, number: int = 1) -> int:
    ticket = Ticket.objects.get(
        counter=hall.counter_1 if number == 1 else hall.counter_2,
        status__in=(TicketStatus.CALLED, TicketStatus.SERVING),
    )
    return ticket.pk


# --- who may work which counter ---------------------------------------------------


def test_the_console_needs_the_staff_login(client: Client, hall: Hall) -> None:
    response = client.get("/loket/")

    assert response.status_code == 302
    assert response["Location"] == "/petugas/masuk/?next=/loket/"


def test_a_refresh_after_the_session_ended_loads_the_login_page(client: Client, hall: Hall) -> None:
    console = console_url(hall)

    response = client.get(
        f"{console}panel/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{console}",
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/petugas/masuk/?next={console.replace('/', '%2F')}"


def test_the_counter_list_groups_the_counters_by_site(officer_client: Client, hall: Hall) -> None:
    content = officer_client.get("/loket/").content.decode()

    assert "Pilih loket" in content
    assert hall.site.name in content
    assert f'href="/loket/{hall.counter_1.pk}/"' in content
    assert f'href="/loket/{hall.counter_2.pk}/"' in content


def test_the_counter_list_shows_what_each_counter_serves(
    officer_client: Client, hall: Hall, django_assert_max_num_queries
) -> None:
    hall.service_a.name = "Perekaman KTP-el"
    hall.service_a.save()
    hall.service_b.name = "SKCK"
    hall.service_b.save()
    retired = f.ServiceFactory(name="Layanan lama", ticket_prefix="R", is_active=False)
    hall.counter_2.site_services.add(f.SiteServiceFactory(site=hall.site, service=retired))
    f.CounterFactory(site=hall.site, number=3)  # nothing assigned yet

    with django_assert_max_num_queries(8):
        content = officer_client.get("/loket/").content.decode()

    counters = re.findall(r'<a class="counter-link".*?</a>', content, re.S)
    assert "Perekaman KTP-el" in counters[0]
    assert "SKCK" not in counters[0]
    # Several services, in name order, on one compact line.
    assert re.search(r"Perekaman KTP-el\s*·\s*SKCK", counters[1])
    assert "Layanan lama" not in content
    assert "Belum ada layanan" in counters[2]


def test_an_unknown_counter_is_404(officer_client: Client) -> None:
    assert officer_client.get("/loket/999999/").status_code == 404


def test_a_counter_of_another_site_is_403(client: Client, hall: Hall) -> None:
    elsewhere = f.SiteFactory(slug="gerai-lain")
    client.force_login(f.StaffFactory(role=Role.OFFICER, role__site=elsewhere))

    response = client.get(console_url(hall))

    assert response.status_code == 403
    assert "Anda tidak bertugas di loket ini." in response.content.decode()
    assert client.post(f"{console_url(hall)}panggil/").status_code == 403


def test_an_agency_officer_works_only_counters_of_their_agency(client: Client, hall: Hall) -> None:
    # Counter 1 serves only service A; an officer of B's agency may not work it.
    client.force_login(
        f.StaffFactory(role=Role.OFFICER, role__site=hall.site, role__agency=hall.service_b.agency)
    )

    assert client.get(console_url(hall, 1)).status_code == 403
    assert client.get(console_url(hall, 2)).status_code == 200


def test_a_board_device_cannot_work_a_counter(client: Client, hall: Hall) -> None:
    client.force_login(f.StaffFactory(role=Role.BOARD, role__site=hall.site))

    assert client.get(console_url(hall)).status_code == 403


# --- what the console shows --------------------------------------------------------


def test_the_console_shows_the_state_the_queue_and_the_shortcuts(
    officer_client: Client, hall: Hall
) -> None:
    walk_in(hall)
    walk_in(hall, priority="elderly")

    content = officer_client.get(console_url(hall)).content.decode()
    words = text(content)

    assert "Loket 1" in words
    assert "Loket tutup" in words
    assert "Siap memanggil nomor berikutnya." in words
    assert "2 menunggu" in words
    # The elderly walk-in is first in line.
    assert words.index("A-002") < words.index("A-001")
    assert "Lansia" in words
    # The shortcuts, on the buttons and in the list.
    assert "Pintasan papan ketik" in words
    for key in ("n", "r", "s", "f", "x", "t", "p"):
        assert f'data-shortcut="{key}"' in content
    assert "<kbd>N</kbd>" in content
    assert "<kbd>Spasi</kbd>" in content
    assert 'hx-trigger="every 4s"' in content


def test_the_refresh_is_the_panel_alone(officer_client: Client, hall: Hall) -> None:
    response = officer_client.get(f"{console_url(hall)}panel/", **HMX_POLL)

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="console-panel"')
    assert "<html" not in content
    assert "Pintasan papan ketik" not in content


HMX_POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TRIGGER": "console-panel"}


def test_the_refresh_costs_a_fixed_number_of_queries(
    officer_client: Client, officer: User, hall: Hall, django_assert_num_queries
) -> None:
    for _ in range(4):
        walk_in(hall)
    walk_in(hall, service=hall.service_b)
    from antre.onsite.services import open_shift

    open_shift(counter=hall.counter_2, officer=officer)  # the officer serving there
    call_next(counter=hall.counter_2, actor=None)
    url = f"{console_url(hall, 2)}panel/"
    officer_client.get(url)

    # session, user, roles, counter, may-work check, shift, current ticket,
    # the site's services, the counter's services, the waiting tickets, the
    # last calls (walk-in share).
    with django_assert_num_queries(11):
        response = officer_client.get(url, **HMX_POLL)

    assert "A-001" in response.content.decode()


# --- the actions ----------------------------------------------------------------------


def test_call_next_calls_and_shows_the_ticket(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)
    booking = hall.booking("2026-06-02T09:00+07:00")
    from antre.onsite.services import check_in

    check_in(site=hall.site, code=booking.code, actor=None)

    words = text(act(officer_client, hall, "panggil"))

    # The due appointment goes before the walk-in.
    assert "A-002 dipanggil ke Loket 1." in words
    assert "Dengan janji" in words
    assert booking.display_code in words
    assert "Panggilan ulang 0" in words
    assert "Loket buka" in words
    ticket = Ticket.objects.get(sequence=2, service=hall.service_a)
    assert ticket.status == TicketStatus.CALLED
    assert ticket.counter == hall.counter_1


def test_without_htmx_an_action_redirects_with_a_message(
    officer_client: Client, hall: Hall
) -> None:
    walk_in(hall)

    response = officer_client.post(f"{console_url(hall)}panggil/", follow=True)

    assert response.redirect_chain == [(console_url(hall), 302)]
    assert "A-001 dipanggil ke Loket 1." in text(response.content.decode())


def test_nobody_waiting_is_said(officer_client: Client, hall: Hall) -> None:
    assert "Tidak ada yang menunggu untuk loket ini." in text(act(officer_client, hall, "panggil"))


def test_recall_start_and_finish(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)
    act(officer_client, hall, "panggil")
    ticket = current_id(officer_client, hall)

    assert "A-001 dipanggil ulang (panggilan ulang ke-1)." in text(
        act(officer_client, hall, "panggil-ulang", ticket=ticket)
    )
    words = text(act(officer_client, hall, "mulai", ticket=ticket))
    assert "A-001 sedang dilayani." in words
    assert "Sedang dilayani" in words
    words = text(act(officer_client, hall, "selesai", ticket=ticket))
    assert "A-001 selesai dilayani." in words
    assert Ticket.objects.get(pk=ticket).status == TicketStatus.DONE


def test_no_show_waits_for_the_sites_recalls(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)
    act(officer_client, hall, "panggil")
    ticket = Ticket.objects.get(pk=current_id(officer_client, hall))

    content = officer_client.get(console_url(hall)).content.decode()
    assert re.search(
        r'id="action-no-show"[^>]* disabled aria-describedby="reason-no-show"', content
    )
    assert "Panggil ulang 2 kali lagi sebelum menandai tidak hadir." in text(content)

    words = text(act(officer_client, hall, "tidak-hadir", ticket=ticket.pk))
    assert "Tidak dapat dilakukan: Panggil ulang sedikitnya 2 kali" in words
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CALLED

    recall(ticket=ticket, actor=None)
    recall(ticket=ticket, actor=None)
    content = officer_client.get(console_url(hall)).content.decode()
    assert not re.search(r'id="action-no-show"[^>]* disabled', content)

    assert "A-001 ditandai tidak hadir." in text(
        act(officer_client, hall, "tidak-hadir", ticket=ticket.pk)
    )
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NO_SHOW


def test_transfer_to_another_service_of_the_site(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)
    act(officer_client, hall, "panggil")
    ticket = current_id(officer_client, hall)
    content = officer_client.get(console_url(hall)).content.decode()
    assert f'<option value="{hall.service_b.pk}">B · {hall.service_b.name}</option>' in content
    assert f'<option value="{hall.service_a.pk}">' not in content

    words = text(act(officer_client, hall, "alihkan", ticket=ticket, service=hall.service_b.pk))

    assert f"A-001 dialihkan ke {hall.service_b.name} dengan nomor baru B-001." in words
    assert Ticket.objects.get(pk=ticket).status == TicketStatus.TRANSFERRED
    assert Ticket.objects.get(service=hall.service_b).status == TicketStatus.WAITING


def test_transfer_needs_a_service(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)
    act(officer_client, hall, "panggil")

    words = text(
        act(officer_client, hall, "alihkan", ticket=current_id(officer_client, hall), service="")
    )

    assert "Pilih layanan tujuan pengalihan." in words


def test_pause_refuses_calls_until_resumed(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)

    words = text(act(officer_client, hall, "jeda"))
    assert "Loket 1 dijeda" in words
    assert "Loket dijeda" in words

    words = text(act(officer_client, hall, "panggil"))
    assert "Loket dijeda: Loket ini sedang dijeda; lanjutkan lebih dulu." in words

    assert "Loket 1 melayani lagi." in text(act(officer_client, hall, "lanjutkan"))
    assert "A-001 dipanggil" in text(act(officer_client, hall, "panggil"))


def test_a_busy_counter_is_told_to_finish_first(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)
    walk_in(hall)
    act(officer_client, hall, "panggil")

    words = text(act(officer_client, hall, "panggil"))

    assert "Loket masih melayani: Selesaikan atau tandai tidak hadir" in words
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 1


def test_an_invalid_transition_is_explained(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)
    act(officer_client, hall, "panggil")
    ticket = current_id(officer_client, hall)
    act(officer_client, hall, "mulai", ticket=ticket)

    words = text(act(officer_client, hall, "mulai", ticket=ticket))

    assert "Tidak dapat dilakukan: Nomor antrean ini tidak dalam keadaan" in words


def test_a_stale_screen_never_acts_on_another_ticket(officer_client: Client, hall: Hall) -> None:
    walk_in(hall)
    walk_in(hall)
    first = call_next(counter=hall.counter_2, actor=None)
    act(officer_client, hall, "panggil")

    # The ticket of counter 2, sent from counter 1's console.
    words = text(act(officer_client, hall, "selesai", ticket=first.pk))

    assert "Nomor itu tidak lagi di loket ini" in words
    assert Ticket.objects.get(pk=first.pk).status == TicketStatus.CALLED


def test_open_and_close_the_counter(officer_client: Client, hall: Hall) -> None:
    assert "Loket 1 dibuka." in text(act(officer_client, hall, "buka"))
    assert CounterShift.objects.filter(counter=hall.counter_1, closed_at__isnull=True).exists()

    assert "Loket 1 ditutup." in text(act(officer_client, hall, "tutup"))
    assert not CounterShift.objects.filter(counter=hall.counter_1, closed_at__isnull=True).exists()


def test_the_pause_shortcut_follows_the_state(officer_client: Client, hall: Hall) -> None:
    pause_counter(counter=hall.counter_1, officer=None)

    content = officer_client.get(console_url(hall)).content.decode()

    assert re.search(r'id="action-pause"[^>]*data-shortcut="p"[^>]*>Lanjutkan', content)


def test_an_unknown_action_is_404_and_get_is_refused(officer_client: Client, hall: Hall) -> None:
    assert officer_client.post(f"{console_url(hall)}hapus/").status_code == 404
    assert officer_client.get(f"{console_url(hall)}panggil/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_two_officers_pressing_call_next_at_once_never_get_one_ticket(hall: Hall) -> None:
    hall.service_a.walk_in_daily_quota = 100
    hall.service_a.save()
    for _ in range(20):
        walk_in(hall)
    officers = [
        f.StaffFactory(username=f"petugas-{number}", role=Role.OFFICER, role__site=hall.site)
        for number in (1, 2)
    ]
    called: list[tuple[int, str]] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(number: int) -> None:
        client = Client()
        client.force_login(officers[number - 1])
        url = f"/loket/{(hall.counter_1 if number == 1 else hall.counter_2).pk}/"
        try:
            barrier.wait(timeout=30)
            for _ in range(12):
                content = client.post(f"{url}panggil/", **HTMX).content.decode()
                found = re.search(r'data-ticket="(\d+)"', content)
                if found is None:
                    break
                called.append((number, found.group(1)))
                client.post(f"{url}selesai/", {"ticket": found.group(1)}, **HTMX)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(number,)) for number in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures
    ticket_ids = [ticket for _number, ticket in called]
    assert len(ticket_ids) == 20
    assert len(set(ticket_ids)) == 20
    assert {number for number, _ticket in called} == {1, 2}
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == 20
