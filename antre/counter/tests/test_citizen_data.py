"""Personal data at the counter (docs/privacy.md): the officer serving a
booked ticket sees the name and the masked NIK, and reveals the phone or the
full NIK, or checks a NIK, only by pressing a button; each press is audited.
Nobody else's data, and nothing once the ticket has left the counter."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from antre.accounts.models import Role, User
from antre.core.models import AuditEvent
from antre.counter.tests.conftest import walk_in
from antre.onsite.models import Ticket
from antre.onsite.services import call_next, check_in, finish_service
from antre.onsite.tests.conftest import Hall
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def called(hall: Hall, officer: User) -> Ticket:
    """A booked citizen's ticket, called to counter 1."""
    booking = hall.booking("2026-06-02T09:00:00+07:00")
    check_in(site=hall.site, code=booking.code, actor=None)
    ticket = call_next(counter=hall.counter_1, actor=officer)
    assert ticket is not None
    assert ticket.booking_id == booking.pk
    return ticket


def citizen_of(ticket: Ticket) -> User:
    assert ticket.booking is not None
    assert ticket.booking.citizen is not None
    return ticket.booking.citizen


def reveal(client: Client, hall: Hall, ticket: Ticket, what: str, **extra: str):
    return client.post(
        f"/loket/{hall.counter_1.pk}/warga/", {"ticket": ticket.pk, "what": what, **extra}, **HTMX
    )


def test_the_console_shows_the_name_and_the_masked_nik_never_the_full_ones(
    officer_client: Client, hall: Hall, called: Ticket
) -> None:
    citizen = citizen_of(called)
    html = officer_client.get(f"/loket/{hall.counter_1.pk}/").content.decode()

    assert citizen.full_name in html
    assert citizen.nik_masked in html
    assert citizen.nik not in html
    assert str(citizen.phone) not in html
    assert citizen.phone.as_national not in html
    assert 'id="action-reveal-phone"' in html
    assert not AuditEvent.objects.filter(action__startswith="privacy.").exists()


@pytest.mark.parametrize(("what", "field"), [("phone", "phone"), ("nik", "nik")])
def test_a_reveal_shows_the_value_and_is_audited(
    officer_client: Client, officer: User, hall: Hall, called: Ticket, what: str, field: str
) -> None:
    citizen = citizen_of(called)

    response = reveal(officer_client, hall, called, what)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    expected = str(citizen.phone) if field == "phone" else citizen.nik
    assert expected in response.content.decode()
    event = AuditEvent.objects.get(action="privacy.revealed")
    assert event.actor == officer
    assert (event.target_type, event.target_id) == ("accounts.User", str(citizen.pk))
    assert event.data == {"field": field, "ticket": called.pk}
    assert (event.site_id, event.agency_id) == (hall.site.pk, hall.service_a.agency_id)
    assert expected not in str(event.data)


def test_a_reveal_without_htmx_renders_the_page_not_a_redirect(
    officer_client: Client, hall: Hall, called: Ticket
) -> None:
    # A redirect would carry the value in the messages cookie.
    response = officer_client.post(
        f"/loket/{hall.counter_1.pk}/warga/", {"ticket": called.pk, "what": "phone"}
    )

    assert response.status_code == 200
    assert str(citizen_of(called).phone) in response.content.decode()
    assert "messages" not in response.cookies


def test_checking_a_nik_answers_match_or_not_and_is_audited(
    officer_client: Client, officer: User, hall: Hall, called: Ticket
) -> None:
    citizen = citizen_of(called)
    spaced = f"{citizen.nik[:6]} {citizen.nik[6:12]} {citizen.nik[12:]}"

    good = reveal(officer_client, hall, called, "verify", nik=spaced).content.decode()
    bad = reveal(officer_client, hall, called, "verify", nik="3275010101900099").content.decode()

    assert "NIK cocok" in good
    assert "NIK TIDAK cocok" in bad
    assert citizen.nik not in good
    events = list(AuditEvent.objects.filter(action="privacy.nik_checked").order_by("pk"))
    assert [event.data["match"] for event in events] == [True, False]
    assert all(event.actor == officer for event in events)


def test_an_officer_of_another_site_is_refused_and_nothing_is_recorded(
    client: Client, hall: Hall, called: Ticket
) -> None:
    stranger = f.StaffFactory(role=Role.OFFICER, role__site=f.SiteFactory())
    client.force_login(stranger)

    response = reveal(client, hall, called, "phone")

    assert response.status_code == 403
    assert str(citizen_of(called).phone) not in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="privacy.").exists()


def test_nothing_to_reveal_once_the_ticket_has_left_the_counter(
    officer_client: Client, officer: User, hall: Hall, called: Ticket
) -> None:
    finish_service(ticket=called, actor=officer)

    response = reveal(officer_client, hall, called, "nik")

    assert citizen_of(called).nik not in response.content.decode()
    assert not AuditEvent.objects.filter(action="privacy.revealed").exists()


def test_a_walk_in_has_no_account_data(officer_client: Client, officer: User, hall: Hall) -> None:
    walk_in(hall)
    ticket = call_next(counter=hall.counter_1, actor=officer)
    assert ticket is not None

    html = officer_client.get(f"/loket/{hall.counter_1.pk}/").content.decode()
    response = reveal(officer_client, hall, ticket, "phone")

    assert 'id="action-reveal-phone"' not in html
    assert "bukan milik akun warga" in response.content.decode()
    assert not AuditEvent.objects.filter(action="privacy.revealed").exists()


def test_the_refresh_keeps_the_nik_field_of_this_ticket_only(
    officer_client: Client, officer: User, hall: Hall, called: Ticket
) -> None:
    """The panel's refresh keeps the very field an officer types the NIK into
    (htmx's hx-preserve, by its id); the id names the ticket, so that what was
    typed for one citizen is never kept for the next."""
    refresh = officer_client.get(f"/loket/{hall.counter_1.pk}/panel/", **HTMX).content.decode()

    field = re.search(r"<input [^>]*name=\"nik\"[^>]*>", refresh)
    assert field is not None
    assert f'id="verify-nik-{called.pk}"' in field.group(0)
    assert " hx-preserve" in field.group(0)
    assert f'<label for="verify-nik-{called.pk}">' in refresh

    finish_service(ticket=called, actor=officer)
    booking = hall.booking("2026-06-02T09:00:00+07:00")
    check_in(site=hall.site, code=booking.code, actor=None)
    following = call_next(counter=hall.counter_1, actor=officer)
    assert following is not None
    refresh = officer_client.get(f"/loket/{hall.counter_1.pk}/panel/", **HTMX).content.decode()

    assert f'id="verify-nik-{following.pk}"' in refresh
    assert f'id="verify-nik-{called.pk}"' not in refresh


@pytest.mark.parametrize("who", ["colleague", "site_admin"])
def test_only_the_officer_serving_at_the_counter_sees_the_citizen(
    client: Client, hall: Hall, called: Ticket, who: str
) -> None:
    """A colleague who may work the same counter, or the site's admin, may open
    its page; the citizen called there is the serving officer's to see."""
    viewer = (
        f.StaffFactory(username="petugas-lain", role=Role.OFFICER, role__site=hall.site)
        if who == "colleague"
        else f.StaffFactory(username="admin-gerai", role=Role.SITE_ADMIN, role__site=hall.site)
    )
    client.force_login(viewer)
    citizen = citizen_of(called)

    page = client.get(f"/loket/{hall.counter_1.pk}/")
    refused = reveal(client, hall, called, "nik")

    assert page.status_code == 200
    assert citizen.full_name not in page.content.decode()
    assert 'id="action-reveal-nik"' not in page.content.decode()
    assert refused.status_code == 403
    assert citizen.nik not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="privacy.revealed").exists()
