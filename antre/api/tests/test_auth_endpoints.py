"""Citizen accounts over the API: POST /auth/register, /auth/verify,
/auth/token and GET /auth/me."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from antre.accounts.models import ApiToken, User
from antre.accounts.verification import make_verification_token
from antre.api.tests.conftest import assert_problem
from antre.core import clock
from antre.core.models import IdempotencyRecord
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f

NIK = "3275014101900001"
PASSWORD = "Matahari-Pagi-2026"


def register_body(**changes: object) -> dict[str, object]:
    return {
        "email": "Siti@Contoh.ID",
        "password": PASSWORD,
        "full_name": "  Siti   Rahmawati ",
        "nik": NIK,
        "phone": "0812 3456 7890",
    } | changes


def verification_token_from_outbox(email: str) -> str:
    message = OutboxMessage.objects.get(kind="account_verify_email", recipient=email)
    match = re.search(r"/akun/verifikasi/\?token=([A-Za-z0-9_.:\-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


@pytest.fixture
def anonymous(caller):
    return caller(None)


# --- POST /auth/register ----------------------------------------------------


def test_register_creates_an_unverified_citizen_and_mails_a_link(anonymous):
    response = anonymous.post("/auth/register", register_body())

    assert response.status_code == 201, response.content
    user = User.objects.get()
    assert response.json() == {"id": user.pk, "email": "Siti@contoh.id", "email_verified": False}
    assert user.full_name == "Siti Rahmawati"
    assert user.nik_masked == "327501********01"
    assert str(user.phone) == "+6281234567890"
    assert user.is_citizen
    assert not user.email_verified
    assert verification_token_from_outbox("Siti@contoh.id")


def test_register_without_a_phone(anonymous):
    body = register_body()
    del body["phone"]

    assert anonymous.post("/auth/register", body).status_code == 201
    assert (
        anonymous.post(
            "/auth/register", register_body(email="b@contoh.id", nik="3275014101900002", phone=None)
        ).status_code
        == 201
    )


def test_the_response_never_holds_the_nik_or_password(anonymous):
    text = anonymous.post("/auth/register", register_body()).content.decode()

    assert NIK not in text
    assert PASSWORD not in text


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"password": "12345678"}, "weak_password"),
        ({"password": "pendek"}, "weak_password"),
        ({"password": "password123"}, "weak_password"),
        ({"nik": "1234"}, "invalid_nik"),
        ({"nik": "9975014101900001"}, "invalid_nik"),
        ({"email": "bukan-email"}, "invalid_email"),
        ({"phone": "12"}, "invalid_phone"),
        ({"full_name": "  123 "}, "invalid_name"),
    ],
)
def test_register_refuses_bad_fields_with_their_code(anonymous, changes, code):
    assert_problem(anonymous.post("/auth/register", register_body(**changes)), 422, code)
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_register_with_a_missing_field_is_invalid_input(anonymous):
    body = register_body()
    del body["nik"]

    problem = assert_problem(anonymous.post("/auth/register", body), 422, "invalid_input")

    assert problem["errors"][0]["loc"] == ["body", "payload", "nik"]


def test_register_answers_email_taken_for_a_known_address_in_any_case(anonymous):
    anonymous.post("/auth/register", register_body())

    again = anonymous.post(
        "/auth/register", register_body(email="SITI@contoh.id", nik="3275014101900002")
    )

    assert_problem(again, 409, "email_taken")
    assert User.objects.count() == 1


def test_register_answers_nik_taken_for_a_known_nik(anonymous):
    anonymous.post("/auth/register", register_body())

    again = anonymous.post("/auth/register", register_body(email="lain@contoh.id"))

    assert_problem(again, 409, "nik_taken")


# --- POST /auth/verify ------------------------------------------------------


def test_the_token_of_the_mailed_link_verifies_the_address(anonymous):
    anonymous.post("/auth/register", register_body())
    token = verification_token_from_outbox("Siti@contoh.id")

    response = anonymous.post("/auth/verify", {"token": token})

    assert response.status_code == 200
    assert response.json() == {"email_verified": True}
    assert User.objects.get().email_verified


def test_verifying_twice_is_fine(anonymous):
    user = f.CitizenFactory(email_verified_at=None)
    token = make_verification_token(user)

    assert anonymous.post("/auth/verify", {"token": token}).json() == {"email_verified": True}
    assert anonymous.post("/auth/verify", {"token": token}).json() == {"email_verified": True}


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 1000, "eyJ1IjoxfQ.forged"])
def test_a_bad_token_is_invalid_token(anonymous, token):
    assert_problem(anonymous.post("/auth/verify", {"token": token}), 422, "invalid_token")


def test_an_expired_token_is_invalid_token(anonymous, frozen_clock):
    user = f.CitizenFactory(email_verified_at=None)
    token = make_verification_token(user)
    frozen_clock.advance(days=3, seconds=1)

    assert_problem(anonymous.post("/auth/verify", {"token": token}), 422, "invalid_token")
    user.refresh_from_db()
    assert not user.email_verified


def test_an_integrators_registration_with_a_key_is_replayed(caller):
    # As the operation's OpenAPI text says: keys are kept for a bearer token.
    integrator = caller(f.UserFactory.create(username="aplikasi-kota"))

    first = integrator.post("/auth/register", register_body(), key="daftar-1")
    again = integrator.post("/auth/register", register_body(), key="daftar-1")

    assert first.status_code == again.status_code == 201, again.content
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert User.objects.filter(nik_masked="327501********01").count() == 1


def test_an_anonymous_registration_with_a_key_is_replayed(anonymous):
    # API.md: the same key within 24 h answers with the first response.
    first = anonymous.post("/auth/register", register_body(), key="daftar-1")
    assert first.status_code == 201

    again = anonymous.post("/auth/register", register_body(), key="daftar-1")

    assert again.status_code == 201, again.content
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert User.objects.filter(nik_masked="327501********01").count() == 1
    assert OutboxMessage.objects.count() == 1  # one verification e-mail


def test_an_anonymous_key_with_another_body_is_refused_and_registers_nothing(anonymous):
    anonymous.post("/auth/register", register_body(), key="daftar-1")
    other = register_body() | {"email": "orang.lain@contoh.id", "nik": "3275014101900002"}

    refused = anonymous.post("/auth/register", other, key="daftar-1")

    assert_problem(refused, 422, "idempotency_key_reused")
    assert not User.objects.filter(email="orang.lain@contoh.id").exists()


def test_an_anonymous_registration_without_a_key_is_not_replayed(anonymous):
    assert anonymous.post("/auth/register", register_body()).status_code == 201

    again = anonymous.post("/auth/register", register_body())

    assert_problem(again, 409, "email_taken")
    assert "Idempotent-Replayed" not in again


def test_a_refused_anonymous_registration_is_the_answer_to_its_key(anonymous):
    body = register_body() | {"password": "123"}
    first = anonymous.post("/auth/register", body, key="lemah")
    again = anonymous.post("/auth/register", body, key="lemah")

    assert_problem(first, 422, "weak_password")
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"


def test_anonymous_keys_are_kept_only_where_the_operation_asks(anonymous):
    user = f.CitizenFactory(email="siti@contoh.id", username="siti@contoh.id")
    body = {"email": user.email, "password": "rahasia-Kuat-123"}

    first = anonymous.post("/auth/token", body, key="masuk-1")
    again = anonymous.post("/auth/token", body, key="masuk-1")

    # A token's answer holds a secret: never kept, never replayed.
    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in again
    assert first.json()["token"] != again.json()["token"]
    assert not IdempotencyRecord.objects.exists()


def test_verify_without_a_token_is_invalid_input(anonymous):
    assert_problem(anonymous.post("/auth/verify", {}), 422, "invalid_input")


# --- POST /auth/token -------------------------------------------------------


def test_token_for_email_and_password_expires_in_thirty_days(anonymous, caller):
    user = f.CitizenFactory(email="siti@contoh.id", username="siti@contoh.id")

    response = anonymous.post(
        "/auth/token", {"email": "SITI@contoh.id", "password": "rahasia-Kuat-123"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "expires"}
    expires = dt.datetime.fromisoformat(body["expires"])
    assert expires.utcoffset() is not None
    assert expires == clock.now() + dt.timedelta(days=30)
    # In the city's zone (settings.TIME_ZONE, Asia/Jakarta), as every time is local.
    assert body["expires"] == "2026-07-02T09:05:00+07:00"
    stored = ApiToken.objects.get(user=user)
    assert stored.expires_at == expires
    assert body["token"] not in {stored.digest, stored.name}
    me = anonymous.client.get(
        "/api/v1/auth/me", headers={"authorization": f"Bearer {body['token']}"}
    )
    assert me.json()["id"] == user.pk


def test_the_token_stops_working_after_thirty_days(anonymous, frozen_clock):
    f.CitizenFactory(email="siti@contoh.id", username="siti@contoh.id")
    raw = anonymous.post(
        "/auth/token", {"email": "siti@contoh.id", "password": "rahasia-Kuat-123"}
    ).json()["token"]
    frozen_clock.advance(days=30)

    response = anonymous.client.get("/api/v1/auth/me", headers={"authorization": f"Bearer {raw}"})

    assert_problem(response, 401, "unauthenticated")


def test_an_unverified_citizen_gets_a_token(anonymous):
    f.CitizenFactory(email="baru@contoh.id", username="baru@contoh.id", email_verified_at=None)

    response = anonymous.post(
        "/auth/token", {"email": "baru@contoh.id", "password": "rahasia-Kuat-123"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("siti@contoh.id", "salah-sekali-123"),
        ("tidak-ada@contoh.id", "rahasia-Kuat-123"),
        ("", "rahasia-Kuat-123"),
        ("petugas@antre.test", "rahasia-Kuat-123"),  # staff get tokens elsewhere
    ],
)
def test_wrong_credentials_are_invalid_credentials(anonymous, email, password):
    f.CitizenFactory(email="siti@contoh.id", username="siti@contoh.id")
    f.StaffFactory(email="petugas@antre.test", username="petugas")

    response = anonymous.post("/auth/token", {"email": email, "password": password})

    assert_problem(response, 401, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_an_inactive_citizen_gets_no_token(anonymous):
    f.CitizenFactory(email="siti@contoh.id", username="siti@contoh.id", is_active=False)

    response = anonymous.post(
        "/auth/token", {"email": "siti@contoh.id", "password": "rahasia-Kuat-123"}
    )

    assert_problem(response, 401, "invalid_credentials")


# --- GET /auth/me -----------------------------------------------------------


def test_me_shows_the_profile_with_the_nik_masked(caller):
    user = f.CitizenFactory(full_name="Siti Rahmawati", nik=NIK)

    response = caller(user).get("/auth/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "full_name": "Siti Rahmawati",
        "email_verified": True,
        "nik_masked": "327501********01",
        "phone": "+6281234567890",
    }
    assert NIK not in response.content.decode()


def test_me_of_a_staff_account_has_no_nik_or_phone(caller):
    staff = f.StaffFactory(full_name="Petugas", email="petugas@antre.test")

    body = caller(staff).get("/auth/me").json()

    assert body["nik_masked"] is None
    assert body["phone"] is None


def test_me_without_a_token_is_unauthenticated(caller):
    response = caller(None).get("/auth/me")

    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
