import json
import re
import threading

import pytest
from django.db import connections
from django.utils import translation

from antre.accounts import errors, services
from antre.accounts import nik as nik_module
from antre.accounts.models import User
from antre.accounts.services import register_citizen
from antre.accounts.verification import verify_email
from antre.core.errors import DomainError
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

NIK = "3275014101900001"
PASSWORD = "Antre-kuat-2026"
CODES = {
    errors.InvalidEmail: "invalid_email",
    errors.InvalidNik: "invalid_nik",
    errors.InvalidPhone: "invalid_phone",
    errors.InvalidName: "invalid_name",
    errors.WeakPassword: "weak_password",
}
LINK = re.compile(r"/akun/verifikasi/\?token=([A-Za-z0-9_.\-]+)")


def register(**overrides):
    fields = {
        "email": "siti.aminah@example.id",
        "password": PASSWORD,
        "full_name": "Siti Aminah",
        "nik": NIK,
        "phone": "0812-3456-7890",
    }
    return register_citizen(**{**fields, **overrides})


def test_registration_stores_a_normalised_unverified_citizen():
    user = register(
        email="  Siti.Aminah@EXAMPLE.id ",
        full_name="  Siti   Aminah ",
        nik="3275 0141 0190 0001",
        phone="0812-3456-7890",
    )

    user.refresh_from_db()
    assert user.email == "Siti.Aminah@example.id"
    assert user.username == "siti.aminah@example.id"
    assert user.full_name == "Siti Aminah"
    assert user.nik == NIK
    assert user.nik_digest == nik_module.digest(NIK)
    assert user.nik_masked == "327501********01"
    assert str(user.phone) == "+6281234567890"
    assert user.is_citizen
    assert not user.email_verified
    assert user.check_password(PASSWORD)


def test_registration_queues_a_verification_link_that_verifies():
    user = register()

    message = OutboxMessage.objects.get(kind="account_verify_email")
    assert message.recipient == user.email
    token = LINK.search(message.body_text)[1]
    assert verify_email(token=token) == user
    user.refresh_from_db()
    assert user.email_verified


def test_registration_is_audited_without_the_nik():
    user = register()

    event = AuditEvent.objects.get(action="account.registered")
    assert event.target_id == str(user.pk)
    assert event.actor_id == user.pk
    recorded = json.dumps(event.data) + event.actor_label + event.target_id
    assert NIK not in recorded
    assert user.nik_digest not in recorded


def test_phone_is_optional():
    assert str(register(phone="").phone) == ""


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "bukan-email", errors.InvalidEmail),
        ("email", "", errors.InvalidEmail),
        ("email", "budi@", errors.InvalidEmail),
        ("email", "a" * 140 + "@example.id", errors.InvalidEmail),
        ("nik", "12345", errors.InvalidNik),
        ("nik", "9975014101900001", errors.InvalidNik),
        ("phone", "12", errors.InvalidPhone),
        ("phone", "nomor saya", errors.InvalidPhone),
        ("full_name", "", errors.InvalidName),
        ("full_name", "    ", errors.InvalidName),
        ("full_name", "1234 5678", errors.InvalidName),
        ("full_name", "Siti" * 40, errors.InvalidName),
        ("password", "12345678", errors.WeakPassword),
        ("password", "pendek", errors.WeakPassword),
        ("password", "password123", errors.WeakPassword),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_written(field, value, error):
    with pytest.raises(error) as raised:
        register(**{field: value})

    assert raised.value.status == 422
    assert raised.value.code == CODES[error]
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_password_like_the_email_is_weak():
    with pytest.raises(errors.WeakPassword):
        register(email="rahasiakuat@example.id", password="rahasiakuat")


def test_weak_password_explains_every_failed_rule_in_the_active_language():
    with translation.override("id"), pytest.raises(errors.WeakPassword) as raised:
        register(password="1234567")
    detail = str(raised.value.detail)
    assert "terlalu pendek" in detail
    assert "seluruhnya terdiri dari angka" in detail

    with translation.override("en"), pytest.raises(errors.WeakPassword) as raised:
        register(password="1234567")
    assert "too short" in str(raised.value.detail)


def test_the_same_email_in_another_case_is_taken():
    register(email="budi@example.id")

    with pytest.raises(errors.EmailTaken) as raised:
        register(email="BUDI@Example.ID", nik="3275010101900002")

    assert (raised.value.code, raised.value.status) == ("email_taken", 409)
    assert User.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_an_email_used_as_a_staff_username_is_taken():
    f.UserFactory(username="petugas@example.id", email="")

    with pytest.raises(errors.EmailTaken):
        register(email="Petugas@example.id")


def test_the_same_nik_is_taken_however_it_is_written():
    register(email="pertama@example.id")

    with pytest.raises(errors.NikTaken) as raised:
        register(email="kedua@example.id", nik="3275.0141.0190.0001")

    assert (raised.value.code, raised.value.status) == ("nik_taken", 409)
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [
        ({"email": "a@example.id"}, {"email": "A@example.id"}, errors.EmailTaken),
        ({"email": "a@example.id"}, {"email": "b@example.id"}, errors.NikTaken),
    ],
)
def test_a_constraint_violation_is_reported_as_the_taken_field(monkeypatch, first, second, error):
    """The path a concurrent winner takes on PostgreSQL: our check passes, the
    insert hits the unique index."""
    register(**first)
    check = services._check_unique
    calls = []

    def check_only_after_the_insert(user):
        calls.append(user)
        if len(calls) > 1:
            check(user)

    monkeypatch.setattr(services, "_check_unique", check_only_after_the_insert)

    with pytest.raises(error):
        register(**{"nik": NIK if error is errors.NikTaken else "3275010101900002", **second})

    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_registrations_with_one_email_make_one_account():
    barrier = threading.Barrier(2)
    outcomes = []
    lock = threading.Lock()

    def attempt(email, nik):
        try:
            barrier.wait(timeout=30)
            try:
                register(email=email, nik=nik)
                outcome = "registered"
            except DomainError as error:
                outcome = error.code
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=("kembar@example.id", "3275010101900002")),
        threading.Thread(target=attempt, args=("KEMBAR@example.id", "3275010101900003")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["email_taken", "registered"]
    assert User.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="account_verify_email").count() == 1


def test_every_problem_is_reported_at_once_the_first_raised():
    with pytest.raises(DomainError) as raised:
        register(email="budi@", nik="12345", password="12345678")

    # The API answers with the first, as before: fields in their order.
    assert raised.value.code == "invalid_email"
    assert [problem.code for problem in raised.value.problems] == [
        "invalid_email",
        "invalid_nik",
        "weak_password",
    ]
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_taken_email_is_reported_with_the_other_problems_after_them():
    taken = register(email="budi@example.id")

    with pytest.raises(errors.WeakPassword) as raised:
        register(email=taken.email.upper(), nik=NIK, password="12345678")

    assert [problem.code for problem in raised.value.problems] == [
        "weak_password",
        "email_taken",
        "nik_taken",
    ]
    assert User.objects.count() == 1


def test_a_taken_email_and_nik_are_both_reported():
    taken = register(email="budi@example.id")

    with pytest.raises(errors.EmailTaken) as raised:
        register(email=taken.email, nik=NIK)

    assert (raised.value.status, [problem.code for problem in raised.value.problems]) == (
        409,
        ["email_taken", "nik_taken"],
    )


def test_checking_a_registration_reports_the_same_and_writes_nothing():
    fields = {
        "email": "siti.aminah@example.id",
        "password": "sitiaminah",
        "full_name": "Siti Aminah",
        "nik": "12345",
        "phone": "",
    }

    with pytest.raises(errors.InvalidNik) as raised:
        services.check_registration(**fields)

    assert [problem.code for problem in raised.value.problems] == ["invalid_nik", "weak_password"]
    services.check_registration(**{**fields, "nik": NIK, "password": PASSWORD})
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("password", ["sitinurhaliza", "Rahmawati1990", "nurhalizasiti"])
def test_a_password_like_the_full_name_is_weak(password):
    with translation.override("id"), pytest.raises(errors.WeakPassword) as raised:
        register(full_name="Siti Nurhaliza Rahmawati", email="sn@example.id", password=password)

    assert "terlalu mirip dengan nama lengkap" in str(raised.value.detail)
    assert not User.objects.exists()
