"""A booking's QR code and calendar entry over the API:
GET /bookings/{code}/qr.svg, /qr.png and /calendar.ics (the owner's)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import icalendar
import pytest
import zxingcpp
from PIL import Image

from antre.api.tests.conftest import assert_problem
from antre.booking.models import Booking
from antre.core.codes import format_code

SVG_NS = "{http://www.w3.org/2000/svg}"
DOCUMENTS = ["qr.svg", "qr.png", "calendar.ics"]


@pytest.fixture
def owner(city, caller):
    return caller(city.citizen_a)


@pytest.fixture
def booking(city, owner, slot) -> Booking:
    """Citizen A's booking of service A at site S, Wednesday 09:30-10:00 WIB."""
    response = owner.post(
        "/bookings", {"slot_id": slot(city.site_s, city.service_a, "2026-06-03T09:30").pk}
    )
    assert response.status_code == 201
    return Booking.objects.get(code=response.json()["code"])


def decode_qr(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_svg_qr_code(owner, booking):
    response = owner.get(f"/bookings/{booking.code}/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "private" in response["Cache-Control"]
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG_NS}svg"
    assert format_code(booking.code) in root.find(f"{SVG_NS}title").text


def test_the_png_qr_code_decodes_to_the_booking_code(owner, booking):
    response = owner.get(f"/bookings/{booking.code}/qr.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert decode_qr(response.content) == [booking.code]


def test_the_code_in_the_path_may_be_typed_as_people_do(owner, booking):
    response = owner.get(f"/bookings/{format_code(booking.code).lower()}/qr.png")

    assert decode_qr(response.content) == [booking.code]


def test_the_calendar_entry(owner, booking):
    response = owner.get(f"/bookings/{booking.code}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="antre-{booking.code}.ics"'
    assert "private" in response["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{booking.code}@antre"
    assert event.decoded("DTSTART") == booking.slot.start
    assert event.decoded("DTEND") == booking.slot.end
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Layanan A" in str(event["SUMMARY"])


def test_the_calendar_entry_follows_a_reschedule_and_a_cancel(city, owner, slot, booking):
    target = slot(city.site_t, city.service_a, "2026-06-04T13:00")
    path = f"/bookings/{booking.code}/calendar.ics"
    before = icalendar.Calendar.from_ical(owner.get(path).content).walk("VEVENT")[0]

    owner.post(f"/bookings/{booking.code}/reschedule", {"slot_id": target.pk})
    moved = icalendar.Calendar.from_ical(owner.get(path).content).walk("VEVENT")[0]
    owner.post(f"/bookings/{booking.code}/cancel")
    cancelled = icalendar.Calendar.from_ical(owner.get(path).content).walk("VEVENT")[0]

    assert moved.decoded("DTSTART") == target.start
    assert str(moved["UID"]) == str(before["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_another_citizen_gets_not_found(city, caller, booking, document):
    response = caller(city.citizen_b).get(f"/bookings/{booking.code}/{document}")

    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_staff_who_see_the_booking_are_refused_the_owners_documents(
    city, caller, booking, document
):
    path = f"/bookings/{booking.code}/{document}"

    assert_problem(caller(city.site_admin_s).get(path), 403, "forbidden")
    assert_problem(caller(city.agency_admin_b).get(path), 404, "not_found")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_an_unknown_or_unparsable_code_is_not_found(owner, booking, document):
    assert_problem(owner.get(f"/bookings/nonsense/{document}"), 404, "not_found")
    assert_problem(owner.get(f"/bookings/7K3M9QXZ4/{document}"), 404, "not_found")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_without_a_token_it_is_unauthenticated(caller, booking, document):
    assert_problem(caller(None).get(f"/bookings/{booking.code}/{document}"), 401, "unauthenticated")
