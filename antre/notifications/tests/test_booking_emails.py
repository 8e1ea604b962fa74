"""The booking e-mails, from the booking to the SMTP server: what the citizen
reads, in Indonesian then English, with the QR inline and the calendar file."""

from __future__ import annotations

import datetime as dt
import io

import icalendar
import pytest
import zxingcpp
from PIL import Image

from antre.booking.services import cancel_booking, create_booking, reschedule_booking
from antre.notifications.delivery import deliver_message
from antre.notifications.models import OutboxMessage, OutboxStatus
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))


def make_slot(start: dt.datetime, **kwargs):
    kwargs.setdefault("site_service__site__name", "MPP Bekasi Trade Center")
    kwargs.setdefault("site_service__site__address", "Jl. Jend. Ahmad Yani No. 1, Bekasi")
    kwargs.setdefault("site_service__service__name", "Perpanjangan SIM")
    kwargs.setdefault("site_service__service__agency__name", "Kepolisian Resor Metro Bekasi Kota")
    kwargs.setdefault(
        "site_service__service__requirements", ["SIM lama", "KTP-el asli", "Surat keterangan sehat"]
    )
    return f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), **kwargs)


def book(slot, citizen=None, *, capture):
    citizen = citizen or f.CitizenFactory(full_name="Siti Rahayu")
    with capture(execute=True):
        return create_booking(citizen=citizen, slot_id=slot.pk)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def part_by_type(message, content_type):
    return [part for part in message.walk() if part.get_content_type() == content_type]


def test_the_confirmation_arrives_over_smtp_with_everything(
    smtp_server, django_capture_on_commit_callbacks
):
    slot = make_slot(dt.datetime(2026, 6, 3, 9, 0, tzinfo=WIB))
    citizen = f.CitizenFactory(full_name="Siti Rahayu")

    booking = book(slot, citizen, capture=django_capture_on_commit_callbacks)

    [message] = smtp_server.wait_for(1)
    code = booking.display_code
    assert message["To"] == citizen.email
    assert message["Subject"] == f"Pemesanan terkonfirmasi: {code} · Booking confirmed"
    row = OutboxMessage.objects.get(kind="booking_confirmed")
    assert message["Message-ID"] == f"<{row.message_id}@antre>"
    assert message["Auto-Submitted"] == "auto-generated"

    text = text_of(message)
    # Indonesian first, English below.
    assert text.index("Pemesanan Anda sudah terkonfirmasi") < text.index(
        "Your booking is confirmed"
    )
    assert code in text
    assert "Rabu, 3 Juni 2026, 09.00–09.30 WIB" in text
    assert "Wednesday, 3 June 2026, 09:00–09:30 WIB" in text
    for requirement in ("SIM lama", "KTP-el asli", "Surat keterangan sehat"):
        assert f"- {requirement}" in text
    assert "MPP Bekasi Trade Center, Jl. Jend. Ahmad Yani No. 1, Bekasi" in text
    assert "Perpanjangan SIM (Kepolisian Resor Metro Bekasi Kota)" in text
    assert f"http://127.0.0.1:8000/pemesanan/{booking.code}/batal/" in text
    assert f"http://127.0.0.1:8000/pemesanan/{booking.code}/ubah/" in text
    assert "Dear Siti Rahayu," in text
    assert "Yth. Siti Rahayu," in text

    raw = message.as_string()
    assert citizen.nik not in raw
    assert citizen.nik_masked not in raw

    html = html_of(message)
    assert '<html lang="id">' in html
    assert 'lang="en"' in html
    assert f"cid:qr-{booking.code}@antre" in html
    assert "09.00–09.30 WIB" in html

    # mixed [ alternative [ plain, related [ html, png ] ], calendar ]
    assert message.get_content_type() == "multipart/mixed"
    alternative, calendar_part = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, related = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.iter_parts()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == f"<qr-{booking.code}@antre>"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_content())))
    assert [result.text for result in decoded] == [booking.code]

    assert calendar_part.get_content_type() == "text/calendar"
    assert calendar_part.get_filename() == f"antre-{booking.code}.ics"
    assert calendar_part.get_param("method") == "PUBLISH"
    ics = calendar_part.get_content()
    ics = ics if isinstance(ics, bytes) else ics.encode()
    assert b"\r\nDTSTART:20260603T020000Z\r\n" in ics
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime(2026, 6, 3, 2, 0, tzinfo=dt.UTC)

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.subject == message["Subject"]
    assert {attachment["filename"] for attachment in row.attachments} == {
        f"qr-{booking.code}.png",
        f"antre-{booking.code}.ics",
    }


def test_the_booking_transaction_only_queues_the_row(django_capture_on_commit_callbacks):
    slot = make_slot(dt.datetime(2026, 6, 3, 9, 0, tzinfo=WIB))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)

    row = OutboxMessage.objects.get()
    assert row.rendered_at is None
    assert row.body_text == ""
    assert row.status == OutboxStatus.PENDING
    # On commit: the delivery task enqueued, and the booking counted (/metrics).
    assert len(callbacks) == 2


def test_times_are_in_the_sites_zone(smtp_server, django_capture_on_commit_callbacks):
    wita = dt.timezone(dt.timedelta(hours=8))
    slot = make_slot(
        dt.datetime(2026, 6, 3, 10, 0, tzinfo=wita),
        site_service__site__timezone="Asia/Makassar",
    )

    book(slot, capture=django_capture_on_commit_callbacks)

    text = text_of(smtp_server.wait_for(1)[0])
    assert "Rabu, 3 Juni 2026, 10.00–10.30 WITA" in text
    assert "10:00–10:30 WITA" in text


def test_the_cancellation_says_what_was_cancelled(smtp_server, django_capture_on_commit_callbacks):
    slot = make_slot(dt.datetime(2026, 6, 4, 13, 30, tzinfo=WIB))
    booking = book(slot, capture=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=booking, actor=booking.citizen)

    _, cancelled = smtp_server.wait_for(2)
    assert cancelled["Subject"].startswith(f"Pemesanan dibatalkan: {booking.display_code}")
    text = text_of(cancelled)
    assert "telah dibatalkan" in text
    assert "has been cancelled" in text
    assert "Kamis, 4 Juni 2026, 13.30–14.00 WIB" in text
    assert "Perpanjangan SIM" in text
    assert "MPP Bekasi Trade Center" in text
    assert booking.display_code in text
    # Nothing to scan any more.
    assert not part_by_type(cancelled, "image/png")
    assert "cid:" not in html_of(cancelled)


def test_the_cancellation_removes_the_calendar_entry_of_the_confirmation(
    smtp_server, django_capture_on_commit_callbacks
):
    slot = make_slot(dt.datetime(2026, 6, 4, 13, 30, tzinfo=WIB))
    booking = book(slot, capture=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        # The same instant as the booking (the clock is frozen): the
        # cancellation must still outrank the confirmation's file.
        cancel_booking(booking=booking, actor=booking.citizen)

    confirmed, cancelled = smtp_server.wait_for(2)
    [entry_part] = part_by_type(confirmed, "text/calendar")
    [cancel_part] = part_by_type(cancelled, "text/calendar")
    assert cancel_part.get_param("method") == "CANCEL"
    assert cancel_part.get_filename() == f"antre-{booking.code}.ics"
    calendar = icalendar.Calendar.from_ical(cancel_part.get_content())
    assert calendar["METHOD"] == "CANCEL"
    [entry] = icalendar.Calendar.from_ical(entry_part.get_content()).walk("VEVENT")
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == entry["UID"] == f"{booking.code}@antre"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(entry["SEQUENCE"])
    assert event["ORGANIZER"] == entry["ORGANIZER"]
    assert event.decoded("DTSTART") == entry.decoded("DTSTART")
    assert "Berkas kalender terlampir menghapus jadwal ini" in text_of(cancelled)


def test_the_text_part_of_the_confirmation_points_to_the_qr_it_does_not_have(
    smtp_server, django_capture_on_commit_callbacks
):
    slot = make_slot(dt.datetime(2026, 6, 3, 9, 0, tzinfo=WIB))
    booking = book(slot, capture=django_capture_on_commit_callbacks)

    [message] = smtp_server.wait_for(1)

    text = text_of(message).replace("\r\n", "\n")
    assert "di atas" not in text
    assert "above" not in text
    assert (
        f"Pemesanan Anda sudah terkonfirmasi dengan kode {booking.display_code}. Simpan e-mail ini."
    ) in text
    assert "di versi HTML e-mail ini dan di halaman pemesanan Anda:\n" in text
    assert "in the HTML version of this e-mail and on your booking page:\n" in text
    assert text.count(f"http://127.0.0.1:8000/pemesanan/{booking.code}/\n") >= 2
    # The HTML part, which shows the QR, still says so.
    assert "tunjukkan kode QR di atas" in html_of(message)


def test_the_reschedule_mail_has_the_new_time_and_calendar(
    smtp_server, django_capture_on_commit_callbacks
):
    slot = make_slot(dt.datetime(2026, 6, 3, 9, 0, tzinfo=WIB))
    later = f.SlotFactory(
        site_service=slot.site_service,
        start=dt.datetime(2026, 6, 5, 14, 0, tzinfo=WIB),
        end=dt.datetime(2026, 6, 5, 14, 30, tzinfo=WIB),
    )
    booking = book(slot, capture=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        reschedule_booking(booking=booking, slot_id=later.pk, actor=booking.citizen)

    _, moved = smtp_server.wait_for(2)
    assert moved["Subject"].startswith("Jadwal pemesanan diubah")
    assert "Jumat, 5 Juni 2026, 14.00–14.30 WIB" in text_of(moved)
    [calendar_part] = part_by_type(moved, "text/calendar")
    [event] = icalendar.Calendar.from_ical(calendar_part.get_content()).walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime(2026, 6, 5, 7, 0, tzinfo=dt.UTC)
    assert event["UID"] == f"{booking.code}@antre"


def test_a_confirmation_sent_late_still_shows_the_time_it_confirmed(
    mailoutbox, django_capture_on_commit_callbacks
):
    # The worker was down: the confirmation is rendered only after the
    # citizen has already moved the booking.
    slot = make_slot(dt.datetime(2026, 6, 3, 9, 0, tzinfo=WIB))
    later = f.SlotFactory(
        site_service=slot.site_service,
        start=dt.datetime(2026, 6, 5, 14, 0, tzinfo=WIB),
        end=dt.datetime(2026, 6, 5, 14, 30, tzinfo=WIB),
    )
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    reschedule_booking(booking=booking, slot_id=later.pk, actor=None)

    for row in OutboxMessage.objects.order_by("pk"):
        assert deliver_message(row.pk)

    confirmed, moved = mailoutbox
    assert "Rabu, 3 Juni 2026, 09.00–09.30 WIB" in confirmed.body
    assert "Jumat, 5 Juni 2026, 14.00–14.30 WIB" in moved.body


def test_no_email_for_a_citizen_without_an_address():
    slot = make_slot(dt.datetime(2026, 6, 3, 9, 0, tzinfo=WIB))
    citizen = f.CitizenFactory()
    booking = create_booking(citizen=citizen, slot_id=slot.pk)
    OutboxMessage.objects.all().delete()
    booking.citizen.email = ""

    from antre.notifications.services import notify_booking

    assert notify_booking(booking=booking, event="reminder") is None
    assert not OutboxMessage.objects.exists()
