"""A citizen's bookings over the API: POST/GET /bookings, GET /bookings/{code},
cancel and reschedule; who may see what; idempotency; query counts.

The clock is frozen at Tuesday 2026-06-02 09:05 in Jakarta (WIB, +07:00).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import icalendar
import pytest
import zxingcpp
from django.conf import settings
from PIL import Image

from antre.accounts.models import Role, User
from antre.api.tests.conftest import LAX_IDS, Caller, assert_problem, local
from antre.booking.models import Booking, BookingStatus, Slot
from antre.catalog import cache as catalog_cache
from antre.core.codes import format_code
from antre.core.models import IdempotencyRecord
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.testing.personas import staff

BOOKING_KEYS = {
    "code",
    "status",
    "site",
    "service",
    "slot",
    "created",
    "qr_url",
    "calendar_url",
}


@pytest.fixture
def citizen_a(city, caller):
    return caller(city.citizen_a)


@pytest.fixture
def citizen_b(city, caller):
    return caller(city.citizen_b)


@pytest.fixture
def slot_s_a(city, slot):
    """Service A at site S, Wednesday 2026-06-03 09:30-10:00 WIB."""
    return slot(city.site_s, city.service_a, "2026-06-03T09:30")


def book(caller, slot: Slot, **kwargs):
    return caller.post("/bookings", {"slot_id": slot.pk}, **kwargs)


def booked(caller, slot: Slot) -> dict:
    response = book(caller, slot)
    assert response.status_code == 201, response.content
    return response.json()


def seats(slot: Slot) -> int:
    slot.refresh_from_db()
    return slot.booked


# --- the whole journey ------------------------------------------------------


def test_register_verify_sign_in_book_look_reschedule_and_cancel(caller, city, slot):
    anonymous = caller(None)
    first = slot(city.site_s, city.service_a, "2026-06-03T09:30")
    later = slot(city.site_t, city.service_a, "2026-06-04T13:00")

    registered = anonymous.post(
        "/auth/register",
        {
            "email": "siti@contoh.id",
            "password": "Matahari-Pagi-2026",
            "full_name": "Siti Rahmawati",
            "nik": "3275014101900001",
        },
    )
    assert registered.status_code == 201
    mail = OutboxMessage.objects.get(kind="account_verify_email")
    token = re.search(r"\?token=([A-Za-z0-9_.:\-]+)", mail.body_text).group(1)
    assert anonymous.post("/auth/verify", {"token": token}).status_code == 200
    signed_in = anonymous.post(
        "/auth/token", {"email": "siti@contoh.id", "password": "Matahari-Pagi-2026"}
    )
    siti = caller(None)
    siti.token = signed_in.json()["token"]

    created = book(siti, first)
    assert created.status_code == 201, created.content
    booking = created.json()
    code = booking["code"]
    assert booking["status"] == "confirmed"
    assert booking["slot"]["start"] == "2026-06-03T09:30:00+07:00"
    assert OutboxMessage.objects.filter(kind="booking_confirmed").count() == 1

    listed = siti.get("/bookings").json()
    assert listed == {"items": [booking], "count": 1}
    assert siti.get(f"/bookings/{code}").json() == booking

    svg = siti.client.get(booking["qr_url"].removeprefix(settings.BASE_URL), headers=siti.headers())
    assert svg.status_code == 200
    assert svg["Content-Type"].startswith("image/svg+xml")
    png = siti.get(f"/bookings/{code}/qr.png")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [result.text for result in decoded] == [code]
    ics = siti.client.get(
        booking["calendar_url"].removeprefix(settings.BASE_URL), headers=siti.headers()
    )
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{code}@antre"
    assert event.decoded("DTSTART") == first.start

    moved = siti.post(f"/bookings/{code}/reschedule", {"slot_id": later.pk})
    assert moved.status_code == 200, moved.content
    assert moved.json()["code"] == code
    assert moved.json()["site"] == "gerai-t"
    assert moved.json()["slot"]["start"] == "2026-06-04T13:00:00+07:00"
    assert (seats(first), seats(later)) == (0, 1)

    cancelled = siti.post(f"/bookings/{code}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert seats(later) == 0
    assert siti.get("/bookings").json()["items"][0]["status"] == "cancelled"


# --- POST /bookings ---------------------------------------------------------


def test_a_booking_in_the_contract_shape(citizen_a, city, slot_s_a):
    response = book(citizen_a, slot_s_a)

    assert response.status_code == 201
    body = response.json()
    booking = Booking.objects.get()
    base = f"{settings.BASE_URL}/api/v1/bookings/{booking.code}"
    assert body.keys() >= BOOKING_KEYS
    assert body == {
        "code": booking.code,
        "display_code": format_code(booking.code),
        "status": "confirmed",
        "site": "gerai-s",
        "site_name": "Gerai S",
        "service": "layanan-a",
        "service_name": "Layanan A",
        "agency": "instansi-a",
        "timezone": "Asia/Jakarta",
        "slot": {
            "id": slot_s_a.pk,
            "start": "2026-06-03T09:30:00+07:00",
            "end": "2026-06-03T10:00:00+07:00",
        },
        "created": "2026-06-02T09:05:00+07:00",
        "qr_url": f"{base}/qr.svg",
        "qr_png_url": f"{base}/qr.png",
        "calendar_url": f"{base}/calendar.ics",
    }
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{9}", booking.code)
    assert booking.citizen == city.citizen_a
    assert seats(slot_s_a) == 1


def test_times_carry_the_offset_of_the_site(caller, db):
    site = f.SiteFactory(slug="mpp-makassar", timezone="Asia/Makassar")
    slot = f.SlotFactory(
        site_service=f.SiteServiceFactory(site=site),
        start=local("2026-06-03T09:00", "Asia/Makassar"),
    )

    body = booked(caller(f.CitizenFactory()), slot)

    assert body["slot"]["start"] == "2026-06-03T09:00:00+08:00"
    assert body["created"] == "2026-06-02T10:05:00+08:00"
    assert body["timezone"] == "Asia/Makassar"


def test_a_full_slot_is_slot_full(citizen_a, city, slot):
    full = slot(city.site_s, city.service_a, "2026-06-03T09:30", capacity=2, booked=2)

    assert_problem(book(citizen_a, full), 409, "slot_full")
    assert not Booking.objects.exists()


def test_a_second_booking_of_a_service_is_duplicate_booking(citizen_a, city, slot, slot_s_a):
    booked(citizen_a, slot_s_a)
    other = slot(city.site_t, city.service_a, "2026-06-04T09:30")

    assert_problem(book(citizen_a, other), 409, "duplicate_booking")
    assert seats(other) == 0


def test_too_many_active_bookings_is_booking_limit_reached(citizen_a, city, slot, settings):
    settings.ANTRE_MAX_ACTIVE_BOOKINGS = 1
    booked(citizen_a, slot(city.site_s, city.service_a, "2026-06-03T09:30"))

    response = book(citizen_a, slot(city.site_s, city.service_b, "2026-06-03T09:30"))

    assert_problem(response, 409, "booking_limit_reached")


@pytest.mark.parametrize(
    "start",
    [
        "2026-06-02T09:30",  # starts in 25 minutes; booking closed 60 minutes before
        "2026-06-02T10:00",
        "2026-07-06T09:00",  # 34 days ahead; booking opens 30 days ahead
    ],
)
def test_a_slot_outside_the_booking_window_is_refused(citizen_a, city, slot, start):
    response = book(citizen_a, slot(city.site_s, city.service_a, start))

    assert_problem(response, 422, "outside_booking_window")


def test_the_first_bookable_slot_of_today(citizen_a, city, slot):
    assert book(citizen_a, slot(city.site_s, city.service_a, "2026-06-02T10:30")).status_code == 201


def test_a_past_slot_is_slot_closed(citizen_a, city, slot):
    response = book(citizen_a, slot(city.site_s, city.service_a, "2026-06-02T09:00"))

    assert_problem(response, 422, "slot_closed")


def test_a_closed_slot_is_slot_closed(citizen_a, city, slot):
    closed = slot(city.site_s, city.service_a, "2026-06-03T09:30", is_open=False)

    assert_problem(book(citizen_a, closed), 422, "slot_closed")


def test_an_unverified_citizen_is_email_not_verified(caller, city, slot_s_a):
    User.objects.filter(pk=city.citizen_a.pk).update(email_verified_at=None)

    assert_problem(book(caller(city.citizen_a), slot_s_a), 422, "email_not_verified")
    assert seats(slot_s_a) == 0


def test_an_unknown_slot_is_unknown_slot(citizen_a, city):
    assert_problem(citizen_a.post("/bookings", {"slot_id": 999999}), 404, "unknown_slot")


@pytest.mark.parametrize("body", [{}, {"slot_id": "abc"}, {"slot_id": None}])
def test_a_bad_body_is_invalid_input(citizen_a, city, body):
    problem = assert_problem(citizen_a.post("/bookings", body), 422, "invalid_input")

    assert problem["errors"][0]["loc"][:2] == ["body", "payload"]


def test_staff_cannot_book(caller, city, slot_s_a):
    assert_problem(book(caller(city.officer_s_a), slot_s_a), 403, "not_a_citizen")


def test_an_idempotency_key_books_once_and_replays_the_first_booking(citizen_a, slot_s_a):
    first = book(citizen_a, slot_s_a, key="booking-1")
    again = book(citizen_a, slot_s_a, key="booking-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1
    assert seats(slot_s_a) == 1
    assert OutboxMessage.objects.filter(kind="booking_confirmed").count() == 1
    # Without the key, the retry is a second attempt and the rules answer.
    assert_problem(book(citizen_a, slot_s_a), 409, "duplicate_booking")


def test_an_idempotency_key_is_the_callers_own(citizen_a, citizen_b, slot_s_a):
    one = book(citizen_a, slot_s_a, key="same")
    two = book(citizen_b, slot_s_a, key="same")

    assert one.json()["code"] != two.json()["code"]
    assert seats(slot_s_a) == 2


def test_a_refused_booking_is_replayed_too(citizen_a, city, slot):
    full = slot(city.site_s, city.service_a, "2026-06-03T09:30", capacity=1, booked=1)
    first = book(citizen_a, full, key="k")
    Slot.objects.filter(pk=full.pk).update(booked=0)

    again = book(citizen_a, full, key="k")

    assert_problem(again, 409, "slot_full")
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert not Booking.objects.exists()


def test_booking_costs_a_fixed_number_of_queries(citizen_a, slot_s_a, django_assert_num_queries):
    citizen_a.get("/auth/me")  # the token's first use is recorded once; not part of booking
    # The slot's site service, site, service and agency come from the
    # per-process catalogue cache (antre.catalog.cache), warm after the
    # first read.
    catalog_cache.site_service(slot_s_a.site_service_id)

    # token, slot; savepoint, active bookings (with the citizen's row locked
    # in the same statement where the database locks rows: SQLite's write
    # lock already serialises), insert; announced inline: the citizen's
    # waiting-list entries, audit, outbox; the seat last; release. The
    # answer is built from what was loaded: no re-read.
    with django_assert_num_queries(10):
        response = book(citizen_a, slot_s_a)

    assert response.status_code == 201


def test_a_booking_left_for_the_worker_to_announce_costs_fewer_queries(
    citizen_a, slot_s_a, django_assert_num_queries, settings
):
    settings.ANTRE_BOOKING_ANNOUNCE = "worker"
    citizen_a.get("/auth/me")
    catalog_cache.site_service(slot_s_a.site_service_id)

    # token, slot; savepoint, active bookings (and the citizen's row locked),
    # insert, the seat; release. The audit row and the e-mail wait.
    with django_assert_num_queries(7):
        response = book(citizen_a, slot_s_a)

    assert response.status_code == 201
    assert Booking.objects.get().announce_pending


# --- GET /bookings ----------------------------------------------------------


def make_bookings(
    city, citizen: User, count: int, *, first_slot: int = 0, frozen_clock=None
) -> list[Booking]:
    """``count`` bookings of service A at site S for ``citizen``, the oldest
    first, at the half-hour slots from 2026-06-03 09:00 on (skipping
    ``first_slot`` of them): the very first confirmed, the others cancelled.
    With ``frozen_clock``, each is made a minute after the one before."""
    made = []
    for number in range(first_slot, first_slot + count):
        start = local("2026-06-03T09:00") + dt.timedelta(minutes=30 * number)
        made.append(
            f.BookingFactory(
                citizen=citizen,
                slot__site_service=city.site_service(city.site_s, city.service_a),
                slot__start=start,
                status=BookingStatus.CANCELLED if number else BookingStatus.CONFIRMED,
            )
        )
        if frozen_clock is not None:
            frozen_clock.advance(minutes=1)
    return made


def test_the_list_holds_the_callers_bookings_newest_first(citizen_a, city, frozen_clock):
    older = make_bookings(city, city.citizen_a, 1)[0]
    frozen_clock.advance(minutes=5)
    newer = f.BookingFactory(
        citizen=city.citizen_a, slot__site_service=city.site_service(city.site_t, city.service_b)
    )
    f.BookingFactory(citizen=city.citizen_b)

    body = citizen_a.get("/bookings").json()

    assert [item["code"] for item in body["items"]] == [newer.code, older.code]
    assert body["count"] == 2
    assert body["items"][0]["site"] == "gerai-t"
    assert body["items"][0]["service"] == "layanan-b"


def test_the_list_is_paginated(citizen_a, city, frozen_clock):
    made = make_bookings(city, city.citizen_a, 5, frozen_clock=frozen_clock)
    newest_first = [booking.code for booking in reversed(made)]

    page = citizen_a.get("/bookings", limit=2, offset=1).json()
    beyond = citizen_a.get("/bookings", limit=2, offset=9).json()

    assert [item["code"] for item in page["items"]] == newest_first[1:3]
    assert page["count"] == 5
    assert beyond == {"items": [], "count": 5}


def test_the_list_filters_by_status(citizen_a, city):
    bookings = make_bookings(city, city.citizen_a, 3)

    confirmed = citizen_a.get("/bookings", status="confirmed").json()
    cancelled = citizen_a.get("/bookings", status="cancelled").json()
    none = citizen_a.get("/bookings", status="no_show").json()

    assert [item["code"] for item in confirmed["items"]] == [bookings[0].code]
    assert cancelled["count"] == 2
    assert none == {"items": [], "count": 0}


@pytest.mark.parametrize("query", ["status=lost", "limit=0", "limit=201", "offset=-1"])
def test_a_bad_list_query_is_invalid_input(citizen_a, city, query):
    response = citizen_a.client.get(f"/api/v1/bookings?{query}", headers=citizen_a.headers())

    assert_problem(response, 422, "invalid_input")


def test_staff_have_no_bookings_of_their_own(caller, city):
    make_bookings(city, city.citizen_a, 2)

    assert caller(city.city_admin).get("/bookings").json() == {"items": [], "count": 0}


def test_the_list_costs_the_same_queries_however_many(citizen_a, city, django_assert_num_queries):
    make_bookings(city, city.citizen_a, 1)
    citizen_a.get("/auth/me")  # the token's first use is recorded once

    with django_assert_num_queries(3):  # token, count, page with slot, site, service, agency
        one = citizen_a.get("/bookings")
    make_bookings(city, city.citizen_a, 12, first_slot=1)
    with django_assert_num_queries(3):
        many = citizen_a.get("/bookings", status="cancelled")

    assert one.json()["count"] == 1
    assert many.json()["count"] == 12


# --- GET /bookings/{code} ---------------------------------------------------


@pytest.fixture
def booking_of_a(city, citizen_a, slot_s_a) -> dict:
    """Citizen A's booking of service A (agency A) at site S."""
    return booked(citizen_a, slot_s_a)


def test_the_owner_gets_the_booking(citizen_a, booking_of_a):
    response = citizen_a.get(f"/bookings/{booking_of_a['code']}")

    assert response.status_code == 200
    assert response.json() == booking_of_a


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code.lower(),
        lambda code: format_code(code),
        lambda code: format_code(code).lower(),
        lambda code: code.replace("0", "o").replace("1", "l"),
    ],
)
def test_the_code_may_be_typed_as_people_do(citizen_a, booking_of_a, typed):
    response = citizen_a.get(f"/bookings/{typed(booking_of_a['code'])}")

    assert response.status_code == 200
    assert response.json()["code"] == booking_of_a["code"]


def mistyped(code: str) -> str:
    """The code with one character changed: its check character no longer fits."""
    replacement = "2" if code[0] != "2" else "3"
    return replacement + code[1:]


@pytest.mark.parametrize("path", ["/bookings/nonsense", "/bookings/7K3M9QXZ", "/bookings/%20"])
def test_an_unparsable_code_is_not_found(citizen_a, booking_of_a, path):
    assert_problem(citizen_a.get(path), 404, "not_found")


def test_a_mistyped_or_unknown_code_is_not_found(citizen_a, booking_of_a):
    assert_problem(citizen_a.get(f"/bookings/{mistyped(booking_of_a['code'])}"), 404, "not_found")
    unknown = f.BookingFactory.build().code
    assert_problem(citizen_a.get(f"/bookings/{unknown}"), 404, "not_found")


def test_another_citizens_booking_is_not_found_as_if_it_did_not_exist(citizen_b, booking_of_a):
    code = booking_of_a["code"]
    unknown = f.BookingFactory.build().code

    theirs = citizen_b.get(f"/bookings/{code}")
    nothing = citizen_b.get(f"/bookings/{unknown}")

    assert_problem(theirs, 404, "not_found")
    assert theirs.json() == nothing.json()
    assert code not in theirs.content.decode()


@pytest.mark.parametrize("persona", ["officer_s_a", "agency_admin_a", "site_admin_s", "city_admin"])
def test_staff_of_the_bookings_site_or_agency_see_it(caller, city, booking_of_a, persona):
    response = caller(getattr(city, persona)).get(f"/bookings/{booking_of_a['code']}")

    assert response.status_code == 200
    assert response.json() == booking_of_a


@pytest.mark.parametrize("persona", ["agency_admin_b", "kiosk_s", "board_s"])
def test_other_staff_and_devices_do_not_see_it(caller, city, booking_of_a, persona):
    response = caller(getattr(city, persona)).get(f"/bookings/{booking_of_a['code']}")

    assert_problem(response, 404, "not_found")


def test_staff_scoped_to_another_site_do_not_see_it(caller, city, booking_of_a):
    officer_t = staff("petugas-t-a", Role.OFFICER, site=city.site_t, agency=city.agency_a)
    officer_s_b = staff("petugas-s-b", Role.OFFICER, site=city.site_s, agency=city.agency_b)
    admin_a_at_t = staff("admin-a-t", Role.AGENCY_ADMIN, agency=city.agency_a, site=city.site_t)
    admin_a_at_s = staff("admin-a-s", Role.AGENCY_ADMIN, agency=city.agency_a, site=city.site_s)
    officer_s = staff("petugas-s", Role.OFFICER, site=city.site_s)
    path = f"/bookings/{booking_of_a['code']}"

    for user in (officer_t, officer_s_b, admin_a_at_t):
        assert_problem(caller(user).get(path), 404, "not_found")
    for user in (admin_a_at_s, officer_s):
        assert caller(user).get(path).status_code == 200


def test_staff_see_a_booking_after_it_moved_to_their_site(caller, city, citizen_a, slot):
    booking = booked(citizen_a, slot(city.site_s, city.service_b, "2026-06-03T09:30"))
    admin_b = caller(city.agency_admin_b)
    site_admin_s = caller(city.site_admin_s)
    target = slot(city.site_t, city.service_b, "2026-06-03T10:00")

    citizen_a.post(f"/bookings/{booking['code']}/reschedule", {"slot_id": target.pk})

    assert admin_b.get(f"/bookings/{booking['code']}").status_code == 200
    assert_problem(site_admin_s.get(f"/bookings/{booking['code']}"), 404, "not_found")


# --- cancel -----------------------------------------------------------------


def test_the_owner_cancels_and_the_seat_is_freed(citizen_a, slot_s_a, booking_of_a):
    response = citizen_a.post(f"/bookings/{booking_of_a['code']}/cancel")

    assert response.status_code == 200
    assert response.json() == booking_of_a | {"status": "cancelled"}
    assert seats(slot_s_a) == 0
    assert Booking.objects.get().status == BookingStatus.CANCELLED


def test_cancelling_twice_is_not_cancellable(citizen_a, booking_of_a):
    citizen_a.post(f"/bookings/{booking_of_a['code']}/cancel")

    assert_problem(
        citizen_a.post(f"/bookings/{booking_of_a['code']}/cancel"), 409, "not_cancellable"
    )


def test_cancelling_after_the_cut_off_is_not_cancellable(citizen_a, city, slot):
    soon = booked(citizen_a, slot(city.site_s, city.service_a, "2026-06-02T10:30"))

    response = citizen_a.post(f"/bookings/{soon['code']}/cancel")

    assert_problem(response, 409, "not_cancellable")
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_a_cancel_with_an_idempotency_key_is_replayed(citizen_a, slot_s_a, booking_of_a):
    path = f"/bookings/{booking_of_a['code']}/cancel"

    first = citizen_a.post(path, key="cancel-1")
    again = citizen_a.post(path, key="cancel-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert seats(slot_s_a) == 0
    assert OutboxMessage.objects.filter(kind="booking_cancelled").count() == 1
    assert IdempotencyRecord.objects.filter(key="cancel-1").count() == 1


def test_another_citizen_cannot_cancel_and_learns_nothing(citizen_b, slot_s_a, booking_of_a):
    response = citizen_b.post(f"/bookings/{booking_of_a['code']}/cancel")

    assert_problem(response, 404, "not_found")
    assert seats(slot_s_a) == 1


def test_staff_who_see_the_booking_may_not_cancel_it_here(caller, city, slot_s_a, booking_of_a):
    path = f"/bookings/{booking_of_a['code']}/cancel"

    assert_problem(caller(city.site_admin_s).post(path), 403, "forbidden")
    assert_problem(caller(city.agency_admin_b).post(path), 404, "not_found")
    assert seats(slot_s_a) == 1


def test_cancelling_an_unknown_code_is_not_found(citizen_a, city):
    assert_problem(citizen_a.post("/bookings/nonsense/cancel"), 404, "not_found")


# --- reschedule -------------------------------------------------------------


def test_rescheduling_moves_the_seat_in_one_go(citizen_a, city, slot, slot_s_a, booking_of_a):
    target = slot(city.site_s, city.service_a, "2026-06-05T14:00")

    response = citizen_a.post(
        f"/bookings/{format_code(booking_of_a['code']).lower()}/reschedule", {"slot_id": target.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == booking_of_a["code"]
    assert body["status"] == "confirmed"
    assert body["slot"] == {
        "id": target.pk,
        "start": "2026-06-05T14:00:00+07:00",
        "end": "2026-06-05T14:30:00+07:00",
    }
    assert (seats(slot_s_a), seats(target)) == (0, 1)
    assert citizen_a.get(f"/bookings/{booking_of_a['code']}").json() == body


def test_rescheduling_to_the_same_slot_changes_nothing(citizen_a, slot_s_a, booking_of_a):
    response = citizen_a.post(
        f"/bookings/{booking_of_a['code']}/reschedule", {"slot_id": slot_s_a.pk}
    )

    assert response.json() == booking_of_a
    assert seats(slot_s_a) == 1


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ({"start": "2026-06-04T09:30", "capacity": 1, "booked": 1}, 409, "slot_full"),
        ({"start": "2026-06-04T09:30", "is_open": False}, 422, "slot_closed"),
        ({"start": "2026-06-02T09:30"}, 422, "outside_booking_window"),
        ({"start": "2026-07-06T09:30"}, 422, "outside_booking_window"),
        ({"start": "2026-06-04T09:30", "service": "b"}, 422, "wrong_service"),
    ],
)
def test_rescheduling_refuses_what_booking_refuses(
    citizen_a, city, slot, slot_s_a, booking_of_a, target, status, code
):
    service = city.service_b if target.pop("service", "a") == "b" else city.service_a
    new_slot = slot(city.site_s, service, target.pop("start"), **target)

    response = citizen_a.post(
        f"/bookings/{booking_of_a['code']}/reschedule", {"slot_id": new_slot.pk}
    )

    assert_problem(response, status, code)
    assert seats(slot_s_a) == 1
    assert Booking.objects.get().slot_id == slot_s_a.pk


def test_rescheduling_to_an_unknown_slot_is_unknown_slot(citizen_a, booking_of_a):
    response = citizen_a.post(f"/bookings/{booking_of_a['code']}/reschedule", {"slot_id": 0})

    assert_problem(response, 404, "unknown_slot")


def test_rescheduling_a_cancelled_booking_is_not_cancellable(citizen_a, city, slot, booking_of_a):
    citizen_a.post(f"/bookings/{booking_of_a['code']}/cancel")
    target = slot(city.site_s, city.service_a, "2026-06-05T14:00")

    response = citizen_a.post(
        f"/bookings/{booking_of_a['code']}/reschedule", {"slot_id": target.pk}
    )

    assert_problem(response, 409, "not_cancellable")


def test_only_the_owner_reschedules(caller, citizen_b, city, slot, slot_s_a, booking_of_a):
    target = slot(city.site_s, city.service_a, "2026-06-05T14:00")
    path = f"/bookings/{booking_of_a['code']}/reschedule"

    assert_problem(citizen_b.post(path, {"slot_id": target.pk}), 404, "not_found")
    assert_problem(caller(city.officer_s_a).post(path, {"slot_id": target.pk}), 403, "forbidden")
    assert seats(slot_s_a) == 1
    assert seats(target) == 0


# --- authentication ---------------------------------------------------------


@pytest.mark.parametrize("token", [None, "not-a-token"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/bookings"),
        ("post", "/bookings"),
        ("get", "/bookings/{code}"),
        ("post", "/bookings/{code}/cancel"),
        ("post", "/bookings/{code}/reschedule"),
    ],
)
def test_without_a_valid_token_every_operation_is_unauthenticated(
    client, booking_of_a, slot_s_a, method, path, token
):
    nobody = Caller(client, token)
    url = path.format(code=booking_of_a["code"])

    if method == "get":
        response = nobody.get(url)
    else:
        response = nobody.post(url, {"slot_id": slot_s_a.pk}, key="k")

    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    assert seats(slot_s_a) == 1


# --- a slot id is a JSON integer --------------------------------------------


@pytest.mark.parametrize("lax", LAX_IDS.values(), ids=LAX_IDS.keys())
def test_booking_takes_only_an_integer_slot_id(citizen_a, slot_s_a, lax):
    response = citizen_a.post("/bookings", {"slot_id": lax(slot_s_a.pk)})

    body = assert_problem(response, 422, "invalid_input")
    assert body["errors"][0]["loc"] == ["body", "payload", "slot_id"]
    assert body["errors"][0]["type"] == "int_type"
    assert seats(slot_s_a) == 0
    assert not Booking.objects.exists()


def test_slot_id_true_does_not_book_slot_one(citizen_a, city, slot):
    """The audit's case: ``true`` was taken for the slot whose id is 1."""
    one = slot(city.site_s, city.service_a, "2026-06-03T09:30", id=1)

    assert_problem(citizen_a.post("/bookings", {"slot_id": True}), 422, "invalid_input")
    assert seats(one) == 0
    assert citizen_a.post("/bookings", {"slot_id": 1}).status_code == 201


@pytest.mark.parametrize("lax", LAX_IDS.values(), ids=LAX_IDS.keys())
def test_rescheduling_takes_only_an_integer_slot_id(
    citizen_a, city, slot, slot_s_a, booking_of_a, lax
):
    target = slot(city.site_s, city.service_a, "2026-06-05T14:00")

    response = citizen_a.post(
        f"/bookings/{booking_of_a['code']}/reschedule", {"slot_id": lax(target.pk)}
    )

    body = assert_problem(response, 422, "invalid_input")
    assert body["errors"][0]["loc"] == ["body", "payload", "slot_id"]
    assert (seats(slot_s_a), seats(target)) == (1, 0)
