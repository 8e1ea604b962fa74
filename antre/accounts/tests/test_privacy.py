"""docs/privacy.md in the domain: masks, who may reveal, the audit of each
reveal and check, the citizen's export (theirs and nobody else's) and the
deletion of an account (seats freed, statistics kept, nothing personal left)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from antre.accounts import nik as nik_module
from antre.accounts import privacy
from antre.accounts.errors import InvalidCredentials
from antre.accounts.models import User
from antre.accounts.services import delete_account, register_citizen
from antre.booking.models import Booking, BookingStatus
from antre.booking.services import create_booking
from antre.core import clock
from antre.core.models import AuditEvent, IdempotencyRecord
from antre.notifications.models import OutboxMessage, OutboxStatus
from antre.testing import factories as f
from antre.testing.personas import City
from antre.waitlist.models import WaitlistStatus
from antre.waitlist.services import join_waitlist

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-Kuat-123"
WIB = dt.timezone(dt.timedelta(hours=7))


def test_a_phone_is_masked_to_the_operator_and_the_last_two_digits() -> None:
    assert privacy.mask_phone("+6281234567890") == "+62812******90"
    assert privacy.mask_phone("") == ""
    assert privacy.mask_phone(None) == ""
    assert privacy.mask_email("budi.santoso@contoh.id") == "b***@contoh.id"


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("city_admin", True),
        ("site_admin_s", False),
        ("agency_admin_a", False),
        ("officer_s_a", False),  # without a ticket of this citizen at their counter
        ("kiosk_s", False),
        ("citizen_b", False),
    ],
)
def test_only_a_city_admin_may_reveal_away_from_the_counter(
    city: City, persona: str, allowed: bool
) -> None:
    viewer = getattr(city, persona)

    assert privacy.may_reveal(viewer, citizen=city.citizen_a) is allowed
    if not allowed:
        with pytest.raises(privacy.NotAllowed):
            privacy.reveal_personal_data(
                viewer=viewer, citizen=city.citizen_a, field=privacy.Field.PHONE
            )
        with pytest.raises(privacy.NotAllowed):
            privacy.verify_nik(viewer=viewer, citizen=city.citizen_a, typed=city.citizen_a.nik)
        assert not AuditEvent.objects.filter(action__startswith="privacy.").exists()


def test_a_city_admins_reveal_returns_the_value_and_audits_who_whom_what_when(
    city: City,
) -> None:
    value = privacy.reveal_personal_data(
        viewer=city.city_admin, citizen=city.citizen_a, field=privacy.Field.NIK
    )

    assert value == city.citizen_a.nik
    event = AuditEvent.objects.get(action="privacy.revealed")
    assert event.actor == city.city_admin
    assert event.target_id == str(city.citizen_a.pk)
    assert event.data == {"field": "nik", "ticket": None}
    assert event.at == clock.now()
    assert city.citizen_a.nik not in json.dumps(event.data)


def test_a_nik_check_compares_digests_and_records_the_outcome(city: City) -> None:
    assert privacy.verify_nik(
        viewer=city.city_admin, citizen=city.citizen_a, typed=city.citizen_a.nik
    )
    assert not privacy.verify_nik(
        viewer=city.city_admin, citizen=city.citizen_a, typed=city.citizen_b.nik
    )
    assert not privacy.verify_nik(viewer=city.city_admin, citizen=city.citizen_a, typed="abc")

    outcomes = AuditEvent.objects.filter(action="privacy.nik_checked").order_by("pk")
    assert [event.data["match"] for event in outcomes] == [True, False, False]


def test_only_city_admins_may_export_personal_data(city: City) -> None:
    assert privacy.may_export_personal_data(city.city_admin)
    for persona in ("site_admin_s", "agency_admin_a", "officer_s_a", "citizen_a", "kiosk_s"):
        assert not privacy.may_export_personal_data(getattr(city, persona))


# --- the citizen's export ------------------------------------------------------


def future_slot(city: City, *, capacity: int = 5, days: int = 8):
    start = dt.datetime(2026, 6, 2, 9, tzinfo=WIB) + dt.timedelta(days=days)
    return f.SlotFactory(
        site_service=city.site_service(city.site_s, city.service_a),
        start=start,
        end=start + dt.timedelta(minutes=30),
        capacity=capacity,
    )


def test_the_export_holds_the_citizens_data_and_nobody_elses(city: City) -> None:
    mine = create_booking(citizen=city.citizen_a, slot_id=future_slot(city).pk)
    theirs = create_booking(citizen=city.citizen_b, slot_id=future_slot(city, days=9).pk)
    entry = join_waitlist(
        citizen=city.citizen_a,
        service=city.service_b,
        earliest=dt.date(2026, 6, 3),
        latest=dt.date(2026, 6, 20),
    )

    data = privacy.export_account(user=city.citizen_a)
    text = json.dumps(data, ensure_ascii=False)

    assert data["profile"]["email"] == city.citizen_a.email
    assert data["profile"]["nik"] == city.citizen_a.nik
    assert data["profile"]["phone"] == str(city.citizen_a.phone)
    assert [booking["code"] for booking in data["bookings"]] == [mine.display_code]
    assert [item["id"] for item in data["waitlist_entries"]] == [entry.pk]
    assert {"booking_confirmed"} <= {email["kind"] for email in data["emails"]}
    actions = {event["action"] for event in data["audit_events"]}
    assert {"booking.created", "waitlist.joined"} <= actions
    for foreign in (theirs.display_code, theirs.code, city.citizen_b.email, city.citizen_b.nik):
        assert foreign not in text
    assert city.citizen_b.full_name not in text
    exported = AuditEvent.objects.get(action="account.exported")
    assert (exported.actor, exported.target_id) == (city.citizen_a, str(city.citizen_a.pk))


# --- deleting an account -------------------------------------------------------


def personal_fields(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": str(user.phone or ""),
        "nik": user.nik,
        "nik_digest": user.nik_digest,
        "nik_masked": user.nik_masked,
        "email_verified_at": user.email_verified_at,
    }


def test_deleting_needs_the_password_and_changes_nothing_without_it(city: City) -> None:
    booking = create_booking(citizen=city.citizen_a, slot_id=future_slot(city).pk)

    with pytest.raises(InvalidCredentials):
        delete_account(user=city.citizen_a, password="salah-sandi-123")

    user = User.objects.get(pk=city.citizen_a.pk)
    assert user.is_active
    assert user.email
    assert user.nik_digest
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not AuditEvent.objects.filter(action="account.deleted").exists()


def test_deleting_frees_future_seats_to_the_waiting_list(city: City) -> None:
    slot = future_slot(city, capacity=1)
    create_booking(citizen=city.citizen_a, slot_id=slot.pk)
    waiting = f.CitizenFactory()
    entry = join_waitlist(
        citizen=waiting,
        service=city.service_a,
        sites=[city.site_s],
        earliest=dt.date(2026, 6, 3),
        latest=dt.date(2026, 6, 20),
        auto_book=True,
    )

    delete_account(user=city.citizen_a, password=PASSWORD)

    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED
    assert Booking.objects.get(citizen=waiting).slot_id == slot.pk
    slot.refresh_from_db()
    assert slot.booked == 1


def test_deleting_keeps_the_statistics_and_leaves_no_personal_data(city: City) -> None:
    citizen = city.citizen_a
    email, nik = citizen.email, citizen.nik
    past_slot = f.SlotFactory(
        site_service=city.site_service(city.site_s, city.service_a),
        start=clock.now() - dt.timedelta(days=7),
    )
    past = f.BookingFactory(citizen=citizen, slot=past_slot, status=BookingStatus.COMPLETED)
    future = create_booking(citizen=citizen, slot_id=future_slot(city).pk)
    entry = join_waitlist(
        citizen=citizen,
        service=city.service_b,
        earliest=dt.date(2026, 6, 3),
        latest=dt.date(2026, 6, 20),
    )
    OutboxMessage.objects.filter(recipient=email).update(status=OutboxStatus.SENT)
    bookings_before = Booking.objects.count()
    completed_before = Booking.objects.filter(status=BookingStatus.COMPLETED).count()

    delete_account(user=citizen, password=PASSWORD)

    user = User.objects.get(pk=citizen.pk)
    assert personal_fields(user) == {
        "email": "",
        "full_name": "",
        "first_name": "",
        "last_name": "",
        "phone": "",
        "nik": "",
        "nik_digest": None,
        "nik_masked": "",
        "email_verified_at": None,
    }
    assert user.username == f"terhapus-{user.pk}"
    assert not user.is_active
    assert not user.has_usable_password()
    assert email not in user.username
    # Statistics: every booking is still there and still counted to this row.
    assert Booking.objects.count() == bookings_before
    assert Booking.objects.filter(status=BookingStatus.COMPLETED).count() == completed_before
    past.refresh_from_db()
    future.refresh_from_db()
    assert (past.citizen_id, past.status) == (user.pk, BookingStatus.COMPLETED)
    assert (future.citizen_id, future.status) == (user.pk, BookingStatus.CANCELLED)
    for booking in (past, future):
        row = {
            field.attname: getattr(booking, field.attname)
            for field in Booking._meta.concrete_fields
        }
        assert email not in str(row)
        assert nik not in str(row)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WITHDRAWN
    # The last e-mail goes to the old address; what was delivered is emptied.
    farewell = OutboxMessage.objects.get(kind="account_account_deleted")
    assert farewell.recipient == email
    assert farewell.status == OutboxStatus.PENDING
    assert "dihapus" in farewell.body_text
    assert not OutboxMessage.objects.filter(recipient=email, status=OutboxStatus.SENT).exists()
    assert not AuditEvent.objects.filter(actor_label=email).exists()
    deleted = AuditEvent.objects.get(action="account.deleted")
    assert deleted.data["bookings_cancelled"] == 1
    assert deleted.data["waitlist_withdrawn"] == 1


def test_deleting_removes_the_kept_answer_of_the_anonymous_registration(
    db: None, client: Any
) -> None:
    body = {
        "email": "hapus.saya@contoh.id",
        "password": "rahasia-Kuat-123",
        "full_name": "Siti Hapus",
        "nik": "3275014101900009",
    }

    def register(email: str, nik: str) -> int:
        response = client.post(
            "/api/v1/auth/register",
            json.dumps(body | {"email": email, "nik": nik}),
            content_type="application/json",
            headers={"Idempotency-Key": email},
        )
        assert response.status_code == 201, response.content
        return int(response.json()["id"])

    mine = register("hapus.saya@contoh.id", "3275014101900009")
    register("orang.lain@contoh.id", "3275014101900010")
    user = User.objects.get(pk=mine)
    user.email_verified_at = clock.now()
    user.save()

    delete_account(user=user, password="rahasia-Kuat-123")

    # The other citizen's answer stays: their retry still gets it.
    assert [record.key for record in IdempotencyRecord.objects.all()] == ["orang.lain@contoh.id"]


def test_the_person_can_register_again_with_the_same_email_and_nik(city: City) -> None:
    email, nik = city.citizen_a.email, city.citizen_a.nik
    delete_account(user=city.citizen_a, password=PASSWORD)

    again = register_citizen(email=email, password=PASSWORD, full_name="Warga Baru", nik=nik)

    assert again.pk != city.citizen_a.pk
    assert again.nik_digest == nik_module.digest(nik)
    assert again.email == email


def test_a_staff_account_cannot_be_deleted_this_way(city: City) -> None:
    with pytest.raises(InvalidCredentials):
        delete_account(user=city.site_admin_s, password=PASSWORD)


def test_a_second_deletion_with_a_stale_account_does_nothing(city: City) -> None:
    stale = User.objects.get(pk=city.citizen_a.pk)
    delete_account(user=city.citizen_a, password=PASSWORD)

    with pytest.raises(InvalidCredentials):
        delete_account(user=stale, password=PASSWORD)

    assert OutboxMessage.objects.filter(kind="account_account_deleted").count() == 1
    assert AuditEvent.objects.filter(action="account.deleted").count() == 1
