"""What leaves antre carries no full NIK and no full phone number
(docs/privacy.md): the JSON log lines, the e-mails as delivered over SMTP,
and the report exports (CSV and XLSX). Each test makes the data flow through
and then searches the produced output for every citizen's NIK and phone."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from antre.accounts.models import User
from antre.accounts.services import delete_account, register_citizen, request_password_reset
from antre.backoffice.tests.test_reports_pages import xlsx_text
from antre.booking.services import cancel_booking, create_booking, reschedule_booking
from antre.notifications.delivery import deliver_due_messages
from antre.ops.logging import logging_config
from antre.reports.definitions import ReportKind
from antre.reports.tests.hand_day import DAY, build_hand_day
from antre.testing import factories as f
from antre.testing.personas import City
from antre.waitlist.services import join_waitlist

pytestmark = pytest.mark.django_db

NIK = "3275014101900123"
PHONE = "+6281398765432"
PASSWORD = "rahasia-Kuat-123"


def forms_of(user_or_values: User | tuple[str, str]) -> list[str]:
    """Every way a NIK and a phone could be written out in full."""
    if isinstance(user_or_values, User):
        nik, phone = user_or_values.nik, str(user_or_values.phone or "")
    else:
        nik, phone = user_or_values
    found = [nik]
    if phone:
        local = "0" + phone.removeprefix("+62")
        found += [phone, phone.removeprefix("+"), local]
        found.append(re.sub(r"^(\d{4})(\d{4})(\d+)$", r"\1-\2-\3", local))
        found.append(re.sub(r"^(\d{4})(\d{4})(\d+)$", r"\1 \2 \3", local))
    return [text for text in found if text]


def assert_clean(text: str, *people: User | tuple[str, str]) -> None:
    digits_only = re.sub(r"[^\d+]", "", text)
    for person in people:
        for form in forms_of(person):
            assert form not in text, form
        nik = person.nik if isinstance(person, User) else person[0]
        assert nik not in digits_only


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    formatter_config = dict(logging_config(log_format="json", level="INFO")["formatters"]["json"])
    formatter_class = formatter_config.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_class(**formatter_config))
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_log_lines_never_hold_a_full_nik_or_phone(client: Client, json_log: io.StringIO) -> None:
    client.post(
        "/akun/daftar/",
        {
            "full_name": "Budi Santoso",
            "nik": NIK,
            "email": "budi@contoh.id",
            "phone": "0813 9876 5432",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
        },
    )
    client.get(f"/akun/masuk/?nik={NIK}&telepon={PHONE}")
    logging.getLogger("antre.test").warning("lookup nik=%s phone=%s", NIK, PHONE)
    try:
        raise ValueError(f"no account for {NIK} / 0813-9876-5432")
    except ValueError:
        logging.getLogger("antre.test").exception("failed")

    output = json_log.getvalue()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any(line.get("event") == "request_finished" for line in lines)
    assert "327501********23" in output
    assert "+62813******32" in output
    assert_clean(output, (NIK, PHONE))


def text_of(message) -> str:
    parts = [f"{key}: {value}" for key, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_emails_as_delivered_never_hold_a_full_nik_or_phone(city: City, smtp_server) -> None:
    citizen = register_citizen(
        email="sari@contoh.id", password=PASSWORD, full_name="Sari", nik=NIK, phone=PHONE
    )
    User.objects.filter(pk=citizen.pk).update(
        email_verified_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    citizen.refresh_from_db()
    site_service = city.site_service(city.site_s, city.service_a)
    start = dt.datetime(2026, 6, 9, 2, tzinfo=dt.UTC)
    first = f.SlotFactory(site_service=site_service, start=start, capacity=1)
    second = f.SlotFactory(site_service=site_service, start=start + dt.timedelta(hours=1))
    booking = create_booking(citizen=citizen, slot_id=first.pk)
    booking = reschedule_booking(booking=booking, slot_id=second.pk, actor=citizen)
    cancel_booking(booking=booking, actor=citizen)
    holder = create_booking(citizen=city.citizen_b, slot_id=first.pk)
    join_waitlist(
        citizen=citizen,
        service=city.service_a,
        sites=[city.site_s],
        earliest=dt.date(2026, 6, 3),
        latest=dt.date(2026, 6, 20),
    )
    cancel_booking(booking=holder, actor=city.citizen_b)  # the seat is offered to the citizen
    request_password_reset(email=citizen.email)
    delete_account(user=citizen, password=PASSWORD)

    outcome = deliver_due_messages()

    messages = smtp_server.wait_for(outcome.sent)
    kinds = {message["Subject"] for message in messages}
    assert len(messages) >= 7, kinds
    for message in messages:
        assert_clean(text_of(message), (NIK, PHONE), city.citizen_b)


@pytest.mark.parametrize("kind", [kind.value for kind in ReportKind])
def test_report_exports_never_hold_a_nik_or_phone(client: Client, city: City, kind: str) -> None:
    build_hand_day(city)
    client.force_login(city.city_admin)
    url = reverse("admin:report", kwargs={"kind": kind})
    period = {"start": DAY.isoformat(), "end": DAY.isoformat()}

    exported_csv = client.get(url, {**period, "format": "csv"})
    exported_xlsx = client.get(url, {**period, "format": "xlsx"})

    assert exported_csv.status_code == exported_xlsx.status_code == 200
    text = b"".join(exported_csv.streaming_content).decode()
    sheet = xlsx_text(exported_xlsx.content)
    citizens = list(User.objects.filter(nik_digest__isnull=False))
    assert citizens
    for person in citizens:
        assert_clean(text, person)
        assert_clean(sheet, person)
        assert person.email not in text
        assert person.email not in sheet
