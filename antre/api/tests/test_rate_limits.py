"""Rate limits and the optional challenge over the API: 429 ``rate_limited``
with ``Retry-After``, per address or per account as docs/security.md says,
an integrator token's own quota, and failed lookups in the audit log."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from antre.accounts.tokens import create_api_token
from antre.api.tests.conftest import assert_problem
from antre.booking.models import Booking
from antre.core.models import AuditEvent
from antre.core.ratelimits import LOOKUP_FAILED
from antre.testing import factories as f
from antre.testing.challenge import solve
from antre.testing.personas import City

PASSWORD = "Matahari-Pagi-2026"


@pytest.fixture
def rates(settings: Any) -> Any:
    """``rates(name="N/period", ...)``: small limits for one test."""

    def set_rates(**changes: str) -> None:
        settings.ANTRE_RATE_LIMITS = settings.ANTRE_RATE_LIMITS | {
            name.replace("__", "."): rate for name, rate in changes.items()
        }

    return set_rates


def post(path: str, body: dict[str, Any], *, ip: str = "198.51.100.7", **headers: str) -> Any:
    return Client(REMOTE_ADDR=ip).post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
    )


def get(path: str, *, ip: str = "198.51.100.7", **headers: str) -> Any:
    return Client(REMOTE_ADDR=ip).get(f"/api/v1{path}", headers=headers)


def registration(serial: int) -> dict[str, Any]:
    return {
        "email": f"warga{serial}@contoh.id",
        "password": PASSWORD,
        "full_name": "Siti Rahmawati",
        "nik": f.make_nik(700 + serial),
    }


def assert_rate_limited(response: Any) -> dict[str, Any]:
    body = assert_problem(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert body["type"].endswith("/api/v1/problems/rate_limited")
    return body


def later(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """Move django-ratelimit's window clock (real time) forward."""
    start = time.time()
    monkeypatch.setattr("django_ratelimit.core.time.time", lambda: start + seconds)


# --- registration, per address ------------------------------------------------


def test_registration_is_limited_per_address(db: None, rates: Any) -> None:
    rates(register__ip="2/h")
    assert post("/auth/register", registration(1)).status_code == 201
    assert post("/auth/register", registration(2)).status_code == 201
    body = assert_rate_limited(post("/auth/register", registration(3)))
    assert "Terlalu banyak" in body["detail"]
    # Another address has its own window.
    assert post("/auth/register", registration(3), ip="203.0.113.5").status_code == 201


def test_the_problem_follows_the_language(db: None, rates: Any) -> None:
    rates(register__ip="1/h")
    post("/auth/register", registration(1))
    response = post("/auth/register", registration(2), **{"Accept-Language": "en"})
    assert_rate_limited(response)


def test_the_window_ends(db: None, rates: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rates(register__ip="1/h")
    assert post("/auth/register", registration(1)).status_code == 201
    assert_rate_limited(post("/auth/register", registration(2)))
    later(monkeypatch, 3601)
    assert post("/auth/register", registration(2)).status_code == 201


def test_an_ipv6_household_shares_one_window(db: None, rates: Any) -> None:
    rates(register__ip="1/h")
    assert post("/auth/register", registration(1), ip="2001:db8:1:2::10").status_code == 201
    assert_rate_limited(post("/auth/register", registration(2), ip="2001:db8:1:2::99"))


def test_behind_the_trusted_proxy_the_forwarded_address_counts(
    db: None, rates: Any, settings: Any
) -> None:
    settings.ANTRE_TRUSTED_PROXY = True
    rates(register__ip="1/h")
    proxy = "127.0.0.1"
    first = post("/auth/register", registration(1), ip=proxy, **{"X-Forwarded-For": "192.0.2.1"})
    assert first.status_code == 201
    other = post("/auth/register", registration(2), ip=proxy, **{"X-Forwarded-For": "192.0.2.2"})
    assert other.status_code == 201
    # A client's own X-Forwarded-For entry comes first; nginx's is the last.
    spoofed = post(
        "/auth/register",
        registration(3),
        ip=proxy,
        **{"X-Forwarded-For": "10.9.9.9, 192.0.2.1"},
    )
    assert_rate_limited(spoofed)


# --- POST /auth/token: refused sign-ins, per account and per address -----------


def test_refused_sign_ins_are_limited_per_account(city: City, rates: Any) -> None:
    rates(login__account="2/15m")
    email = city.citizen_a.email
    wrong = {"email": email, "password": "salah-sekali-123"}
    assert post("/auth/token", wrong).status_code == 401
    assert post("/auth/token", wrong, ip="203.0.113.8").status_code == 401
    # The account is locked for the window, from every address, even with the
    # right password; another account is not.
    assert_rate_limited(post("/auth/token", {"email": email.upper(), "password": "x"}))
    other = post("/auth/token", {"email": city.citizen_b.email, "password": "salah"})
    assert other.status_code == 401


def test_successful_sign_ins_do_not_count(city: City, rates: Any) -> None:
    rates(login__account="1/15m", login__ip="1/15m")
    user = f.CitizenFactory.create(email="rajin@contoh.id", password=PASSWORD)
    for _ in range(4):
        response = post("/auth/token", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 200


def test_refused_sign_ins_are_limited_per_address(city: City, rates: Any) -> None:
    rates(login__ip="2/15m")
    for serial in range(2):
        body = {"email": f"tebak{serial}@contoh.id", "password": "coba-coba"}
        assert post("/auth/token", body).status_code == 401
    assert_rate_limited(post("/auth/token", {"email": "tebak9@contoh.id", "password": "x"}))


# --- an integrator's own quota ---------------------------------------------------


def test_an_integrator_token_has_its_own_quota_instead_of_the_address_limit(
    db: None, rates: Any
) -> None:
    rates(register__ip="1/h")
    integrator = f.UserFactory.create(username="aplikasi-kota")
    token, raw = create_api_token(user=integrator, name="Aplikasi Kota")
    token.rate_limit = 3
    token.save()
    bearer = {"Authorization": f"Bearer {raw}"}
    # The city's app sends everyone's registrations from one address.
    for serial in range(3):
        assert post("/auth/register", registration(serial), **bearer).status_code == 201
    assert_rate_limited(post("/auth/register", registration(7), **bearer))
    # The address itself still has its own window for everyone else.
    assert post("/auth/register", registration(8)).status_code == 201
    assert_rate_limited(post("/auth/register", registration(9)))


def test_a_token_without_a_quota_does_not_escape_the_address_limit(city: City, rates: Any) -> None:
    rates(register__ip="1/h")
    _token, raw = create_api_token(user=city.citizen_a, name="ponsel")
    bearer = {"Authorization": f"Bearer {raw}"}
    assert post("/auth/register", registration(1), **bearer).status_code == 201
    assert_rate_limited(post("/auth/register", registration(2), **bearer))


def test_a_revoked_integrator_token_has_no_quota(db: None, rates: Any) -> None:
    rates(register__ip="1/h")
    integrator = f.UserFactory.create(username="aplikasi-kota")
    token, raw = create_api_token(user=integrator, name="Aplikasi Kota")
    token.rate_limit = 100
    token.revoked_at = token.created_at
    token.save()
    bearer = {"Authorization": f"Bearer {raw}"}
    assert post("/auth/register", registration(1), **bearer).status_code == 201
    assert_rate_limited(post("/auth/register", registration(2), **bearer))


# --- booking, per account -------------------------------------------------------


def test_bookings_are_limited_per_account_and_a_429_is_not_replayed(
    city: City, slot: Any, rates: Any
) -> None:
    rates(booking__account="1/h")
    _token, raw = create_api_token(user=city.citizen_a, name="ponsel")
    bearer = {"Authorization": f"Bearer {raw}"}
    first = slot(city.site_s, city.service_a, "2026-06-03T09:30", capacity=5)
    second = slot(city.site_s, city.service_b, "2026-06-03T10:00", capacity=5)
    assert post("/bookings", {"slot_id": first.pk}, **bearer).status_code == 201
    limited = post("/bookings", {"slot_id": second.pk}, **bearer, **{"Idempotency-Key": "k-2"})
    assert_rate_limited(limited)
    # Another citizen at the same address books.
    _other, raw_b = create_api_token(user=city.citizen_b, name="ponsel")
    response = post("/bookings", {"slot_id": second.pk}, Authorization=f"Bearer {raw_b}")
    assert response.status_code == 201
    # After the window, the same Idempotency-Key books: the 429 was not kept.
    from django.core.cache import cache

    cache.clear()
    again = post("/bookings", {"slot_id": first.pk}, **bearer, **{"Idempotency-Key": "k-2"})
    assert again.status_code in {201, 409}
    assert again.get("Idempotent-Replayed") != "true"


def test_moving_a_booking_counts_against_the_booking_limit(
    city: City, slot: Any, rates: Any
) -> None:
    """Moving a booking takes a new seat: again and again, it would be a way
    round the limit on booking."""
    rates(booking__account="2/h")
    _token, raw = create_api_token(user=city.citizen_a, name="ponsel")
    bearer = {"Authorization": f"Bearer {raw}"}
    seats = [
        slot(city.site_s, city.service_a, f"2026-06-03T{hour}:00", capacity=5)
        for hour in ("09", "10", "11")
    ]
    booked = post("/bookings", {"slot_id": seats[0].pk}, **bearer)
    assert booked.status_code == 201
    path = f"/bookings/{booked.json()['code']}/reschedule"
    assert post(path, {"slot_id": seats[1].pk}, **bearer).status_code == 200

    assert_rate_limited(post(path, {"slot_id": seats[2].pk}, **bearer))
    assert Booking.objects.get().slot_id == seats[1].pk


# --- lookups: misses are counted and audited ----------------------------------------


def test_unknown_ticket_ids_are_audited_and_limited_per_address(db: None, rates: Any) -> None:
    rates(lookup__ip="2/h")
    for guess in ("tebakan-1", "tebakan-2"):
        assert_problem(get(f"/tickets/{guess}"), 404, "not_found")
    events = AuditEvent.objects.filter(action=LOOKUP_FAILED).order_by("pk")
    assert [event.data["value"] for event in events] == ["tebakan-1", "tebakan-2"]
    assert {event.data["kind"] for event in events} == {"ticket"}
    assert len({event.data["source"] for event in events}) == 1
    assert "198.51.100.7" not in json.dumps([event.data for event in events])
    assert_rate_limited(get("/tickets/tebakan-3"))
    # Refused requests are not audited (a flood must not fill the log).
    assert events.count() == 2
    assert_problem(get("/tickets/tebakan-3", ip="203.0.113.1"), 404, "not_found")


def test_unknown_booking_codes_are_audited_and_limited_per_account(city: City, rates: Any) -> None:
    rates(lookup__account="2/h")
    _token, raw = create_api_token(user=city.citizen_a, name="ponsel")
    bearer = {"Authorization": f"Bearer {raw}"}
    for guess in ("7K3M-9QXZ4", "ABCD-EFGH1"):
        assert_problem(get(f"/bookings/{guess}", **bearer), 404, "not_found")
    events = AuditEvent.objects.filter(action=LOOKUP_FAILED)
    assert events.count() == 2
    assert {event.actor_id for event in events} == {city.citizen_a.pk}
    assert {event.data["kind"] for event in events} == {"booking_code"}
    assert_rate_limited(get("/bookings/ZZZZ-ZZZZ1", **bearer))
    _token_b, raw_b = create_api_token(user=city.citizen_b, name="ponsel")
    response = get("/bookings/ZZZZ-ZZZZ1", Authorization=f"Bearer {raw_b}")
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("post", "/cancel"),
        ("post", "/reschedule"),
        ("get", "/qr.svg"),
        ("get", "/qr.png"),
        ("get", "/calendar.ics"),
    ],
)
def test_every_operation_by_booking_code_counts_misses_against_one_limit(
    city: City, rates: Any, method: str, suffix: str
) -> None:
    rates(lookup__account="2/h")
    _token, raw = create_api_token(user=city.citizen_a, name="ponsel")
    bearer = {"Authorization": f"Bearer {raw}"}

    def send(code: str) -> Any:
        if method == "post":
            return post(f"/bookings/{code}{suffix}", {"slot_id": 1}, **bearer)
        return get(f"/bookings/{code}{suffix}", **bearer)

    assert_problem(send("7K3M-9QXZ4"), 404, "not_found")
    # A miss here and one on the plain lookup: the same account's budget.
    assert_problem(get("/bookings/ABCD-EFGH1", **bearer), 404, "not_found")
    assert_rate_limited(send("ZZZZ-ZZZZ1"))
    assert_rate_limited(get("/bookings/ZZZZ-ZZZZ1", **bearer))
    events = AuditEvent.objects.filter(action=LOOKUP_FAILED)
    assert events.count() == 2
    assert {event.data["kind"] for event in events} == {"booking_code"}


def test_a_slot_that_does_not_exist_is_no_guessed_code(city: City, rates: Any) -> None:
    rates(lookup__account="1/h")
    booking = f.BookingFactory(citizen=city.citizen_a)
    _token, raw = create_api_token(user=city.citizen_a, name="ponsel")
    bearer = {"Authorization": f"Bearer {raw}"}
    for _attempt in range(3):
        response = post(f"/bookings/{booking.code}/reschedule", {"slot_id": 999999}, **bearer)
        assert_problem(response, 404, "unknown_slot")
    assert not AuditEvent.objects.filter(action=LOOKUP_FAILED).exists()


def test_unknown_codes_at_the_kiosk_are_audited_and_limited_per_device(
    city: City, rates: Any
) -> None:
    # The kiosk's own budget, not a citizen's: a hall's typos must not stop it.
    rates(lookup__account="1/h", lookup__kiosk="2/h")
    _token, raw = create_api_token(user=city.kiosk_s, name="kiosk")
    bearer = {"Authorization": f"Bearer {raw}"}
    path = f"/sites/{city.site_s.slug}/checkins"
    for _miss in range(2):
        assert_problem(post(path, {"code": "7K3M-9QXZ4"}, **bearer), 404, "unknown_code")
    events = AuditEvent.objects.filter(action=LOOKUP_FAILED)
    assert {event.actor_id for event in events} == {city.kiosk_s.pk}
    assert {event.data["kind"] for event in events} == {"booking_code"}
    assert_rate_limited(post(path, {"code": "7K3M-9QXZ4"}, **bearer))


def test_a_kiosk_may_miss_many_more_codes_than_a_citizen(settings: Any) -> None:
    assert settings.ANTRE_RATE_LIMITS["lookup.account"] == "30/h"
    assert settings.ANTRE_RATE_LIMITS["lookup.kiosk"] == "600/h"


# --- the documents -------------------------------------------------------------------


def test_openapi_and_the_problem_catalog_know_the_codes(db: None) -> None:
    schema = get("/openapi.json").json()
    for path, method in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/token", "post"),
        ("/api/v1/bookings", "post"),
        ("/api/v1/bookings/{code}", "get"),
        ("/api/v1/sites/{site}/checkins", "post"),
        ("/api/v1/tickets/{public_id}", "get"),
    ]:
        assert "429" in schema["paths"][path][method]["responses"], path
    codes = {problem["code"] for problem in get("/problems?limit=200").json()["items"]}
    assert {"rate_limited", "challenge_failed"} <= codes
    assert get("/problems/challenge_failed").status_code == 200


# --- the opt-in challenge --------------------------------------------------------------


@pytest.fixture
def api_challenge(settings: Any) -> None:
    settings.ANTRE_API_CHALLENGE = True
    settings.ANTRE_CHALLENGE_MAX_NUMBER = 2000


def test_the_api_asks_no_challenge_by_default(db: None) -> None:
    assert post("/auth/register", registration(1)).status_code == 201


def test_with_the_challenge_on_registration_needs_a_solution_once(
    db: None, api_challenge: None
) -> None:
    missing = assert_problem(post("/auth/register", registration(1)), 422, "challenge_failed")
    assert "anti-robot" in missing["detail"]
    challenge = get("/auth/challenge").json()
    solution = solve(challenge)
    assert post("/auth/register", registration(1), Altcha=solution).status_code == 201
    replayed = post("/auth/register", registration(2), Altcha=solution)
    assert "sudah pernah dipakai" in assert_problem(replayed, 422, "challenge_failed")["detail"]
    forged = dict(challenge, signature="0" * 64)
    assert_problem(
        post("/auth/register", registration(3), Altcha=solve(forged)), 422, "challenge_failed"
    )


def test_an_expired_solution_is_refused(db: None, api_challenge: None, frozen_clock: Any) -> None:
    import datetime as dt

    solution = solve(get("/auth/challenge").json())
    frozen_clock.advance(dt.timedelta(hours=1))
    response = post("/auth/register", registration(1), Altcha=solution)
    assert "kedaluwarsa" in assert_problem(response, 422, "challenge_failed")["detail"]


def test_an_integrator_needs_no_challenge(db: None, api_challenge: None) -> None:
    integrator = f.UserFactory.create(username="aplikasi-kota")
    token, raw = create_api_token(user=integrator, name="Aplikasi Kota")
    token.rate_limit = 60
    token.save()
    response = post("/auth/register", registration(1), Authorization=f"Bearer {raw}")
    assert response.status_code == 201
