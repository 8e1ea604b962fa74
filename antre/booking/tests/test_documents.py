"""A booking's QR code, calendar file and links."""

import datetime as dt
import io
import xml.etree.ElementTree as ET

import icalendar
import pytest
import zxingcpp
from PIL import Image

from antre.booking.documents import (
    booking_ics,
    booking_links,
    booking_qr_png,
    booking_qr_svg,
    ics_fold,
)
from antre.booking.models import BookingStatus
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def booking():
    start = dt.datetime(2026, 6, 3, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    slot = f.SlotFactory(
        start=start,
        end=start + dt.timedelta(minutes=30),
        site_service__site__name="MPP Bekasi Trade Center",
        site_service__site__address="Jl. Jend. Ahmad Yani No. 1, Bekasi; lantai 3",
        site_service__service__name="Perpanjangan SIM",
        site_service__service__requirements=["SIM lama", "KTP-el asli", "Surat sehat; asli"],
    )
    return f.BookingFactory(slot=slot)


def decode_qr(png: bytes) -> list[str]:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return [(result.format.name, result.text) for result in results]


def test_the_png_qr_decodes_to_the_stored_code(booking):
    png = booking_qr_png(booking)

    assert decode_qr(png) == [("QRCode", booking.code)]
    assert len(booking.code) == 9
    image = Image.open(io.BytesIO(png))
    assert image.size == (232, 232)  # 21 modules + 2x4 quiet zone, 8 px each


def test_the_png_scale_is_pixels_per_module(booking):
    image = Image.open(io.BytesIO(booking_qr_png(booking, scale=4)))

    assert image.size == (116, 116)


def test_the_qr_is_version_1_at_level_m():
    # 9 alphanumeric characters fit version 1 at M; the level is not boosted.
    import segno

    symbol = segno.make_qr("7K3M9QXZ4", error="m", boost_error=False)
    assert symbol.designator == "1-M"


def test_the_svg_is_valid_xml_with_a_title(booking):
    svg = booking_qr_svg(booking)

    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 116 116"
    assert root.get("width") is None  # CSS sizes it
    assert booking.display_code in root.find(f"{SVG_NS}title").text


def test_the_svg_decodes_too(booking, tmp_path):
    # Rasterise the SVG's modules by hand: segno draws them as one path of
    # horizontal runs, "M<x> <y>h<n>" and relative "m<dx> <dy>h<n>" moves.
    import re

    svg = booking_qr_svg(booking)
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    path = root.find(f"{SVG_NS}path").get("d")
    image = Image.new("L", (29, 29), 255)
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(float(first))):
                image.putpixel((int(x) + column, int(y - 0.5)), 0)
            x += float(first)
    buffer = io.BytesIO()
    image.resize((290, 290), Image.Resampling.NEAREST).save(buffer, format="PNG")

    assert decode_qr(buffer.getvalue()) == [("QRCode", booking.code)]


def test_the_calendar_file_parses_with_the_slot_in_utc(booking):
    data = booking_ics(booking)

    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == f"{booking.code}@antre"
    assert event.decoded("DTSTART") == dt.datetime(2026, 6, 3, 2, 30, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 6, 3, 3, 0, tzinfo=dt.UTC)
    assert b"DTSTART:20260603T023000Z\r\n" in data
    assert str(event["SUMMARY"]) == "Perpanjangan SIM — MPP Bekasi Trade Center"
    assert str(event["LOCATION"]) == "Jl. Jend. Ahmad Yani No. 1, Bekasi; lantai 3"
    description = str(event["DESCRIPTION"])
    assert booking.display_code in description
    assert "- Surat sehat; asli" in description
    assert "Booking code" in description  # the labels are bilingual
    assert str(event["URL"]) == booking_links(booking)["view"]
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_calendar_file_has_crlf_lines_folded_at_75_octets(booking):
    data = booking_ics(booking)

    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the description was folded


def test_folding_never_splits_a_utf8_character():
    line = "SUMMARY:" + "Pelayanan — " * 12
    folded = ics_fold(line)

    for physical in folded.split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")  # each physical line is whole characters
    assert folded.replace(b"\r\n ", b"").decode().rstrip("\r\n") == line


def test_a_cancelled_booking_cancels_the_calendar_entry(booking):
    booking.status = BookingStatus.CANCELLED

    [event] = icalendar.Calendar.from_ical(booking_ics(booking)).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_cancellation_file_cancels_the_entry_of_the_same_uid(booking, settings):
    settings.DEFAULT_FROM_EMAIL = "Antrean MPP Bekasi <antre@bekasikota.go.id>"
    published = icalendar.Calendar.from_ical(booking_ics(booking))
    booking.status = BookingStatus.CANCELLED

    cancelled = icalendar.Calendar.from_ical(booking_ics(booking, method="CANCEL"))

    assert cancelled["METHOD"] == "CANCEL"
    [entry] = published.walk("VEVENT")
    [event] = cancelled.walk("VEVENT")
    assert event["UID"] == entry["UID"]
    assert str(event["STATUS"]) == "CANCELLED"
    # Made and cancelled in the same instant (a frozen clock): still higher.
    assert int(event["SEQUENCE"]) == int(entry["SEQUENCE"]) + 1
    # RFC 5546 wants the organizer in both; the sender's address matches them.
    assert str(event["ORGANIZER"]) == str(entry["ORGANIZER"]) == "mailto:antre@bekasikota.go.id"
    assert event["ORGANIZER"].params["CN"] == "Antrean MPP Bekasi"


def test_a_later_change_has_a_higher_sequence(booking, frozen_clock):
    first = icalendar.Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]
    frozen_clock.advance(minutes=5)
    booking.save()
    second = icalendar.Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]

    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])


def test_links_are_absolute_under_base_url(booking, settings):
    settings.BASE_URL = "https://antre.bekasikota.go.id"

    assert booking_links(booking) == {
        "view": f"https://antre.bekasikota.go.id/pemesanan/{booking.code}/",
        "cancel": f"https://antre.bekasikota.go.id/pemesanan/{booking.code}/batal/",
        "reschedule": f"https://antre.bekasikota.go.id/pemesanan/{booking.code}/ubah/",
    }
