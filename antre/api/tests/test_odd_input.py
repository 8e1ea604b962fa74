"""Odd input through the API: whatever arrives, the answer is a clear 4xx
problem (or a success that stores what it says), never a 5xx, and a refusal
changes nothing.

Odd means: right-to-left and zero-width marks, combining accents, NUL, lone
surrogates (JSON can carry "\\ud800"; neither UTF-8 nor PostgreSQL can store
them), emoji, megabyte strings, JSON values of the wrong type, dates out of
range (year 1, 9999, 29 February, far future) and sites in the three
Indonesian time zones around midnight and on a holiday.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from antre.accounts.models import User
from antre.accounts.tokens import create_api_token
from antre.api.problems import PROBLEM_CONTENT_TYPE
from antre.booking.models import Booking, Slot
from antre.booking.schedule import materialise_slots
from antre.catalog.models import Closure
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.testing.personas import City
from antre.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db

# Each property runs in one database transaction (the test's): a handful of
# examples keeps `make test` quick and still walks every strategy below.
EXAMPLES = 25
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_PIECES = [
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # byte order mark
    "e\u0301\u0301\u0301",  # combining accents
    "\x00",
    "\ud800",  # a lone surrogate
    "\udfff",
    "\U0001f600",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # Arabic
    "Ṡ̷̡i̶t̸i̵",
    "\n\r\t",
    "'; DROP TABLE accounts_user; --",
    "<script>alert(1)</script>",
    "%00",
    "３２７５",  # full-width digits
    "٣٢٧٥",  # Arabic-Indic digits
    " ",
    "",
]

odd_text = st.one_of(
    st.lists(st.sampled_from(ODD_PIECES), min_size=1, max_size=6).map("".join),
    st.text(alphabet=st.characters(codec=None), max_size=40),
    st.sampled_from(["x" * 100_000, "3" * 10_000, "\u200b" * 5_000]),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    odd_text,
)
# Any JSON value: the wrong type for whichever field receives it.
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
field_value = st.one_of(odd_text, json_values)
odd_dates = st.one_of(
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "2026-02-29",  # not a leap year
            "2028-02-29",  # a leap year
            "2026-13-01",
            "2026-06-31",
            "0000-00-00",
            "99999-01-01",
            "2026-6-2",
            "2026-06-02T00:00:00+07:00",
            "20260602",
            "2026-06-02\x00",
        ]
    ),
    st.dates().map(dt.date.isoformat),
    odd_text,
    json_values,
)


def send(client: Client, method: str, path: str, body: Any, token: str | None) -> Any:
    """Send ``body`` as JSON; a string that JSON cannot carry as UTF-8 (a lone
    surrogate) goes as an ``\\u`` escape, as real clients send it."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return getattr(client, method)(
        f"/api/v1{path}",
        json.dumps(body, ensure_ascii=True),
        content_type="application/json",
        headers=headers,
    )


def assert_clear_refusal_or_success(response: Any, *, success: int) -> None:
    assert response.status_code < 500, response.content[:2000]
    if response.status_code == success:
        return
    assert 400 <= response.status_code < 500, response.status_code
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    assert response.json()["code"]


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "bookings": Booking.objects.count(),
        "booked seats": sum(Slot.objects.values_list("booked", flat=True)),
        "outbox": OutboxMessage.objects.count(),
        "audit": AuditEvent.objects.count(),
        "waitlist": WaitlistEntry.objects.count(),
    }


def stored_text_is_clean(value: str) -> bool:
    """What we store can be stored anywhere: no NUL, no lone surrogates."""
    return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    # Rate limits have their own tests; here they would answer 429 before the
    # input is even read.
    settings.ANTRE_RATE_LIMITS_ENABLED = False


@pytest.fixture
def citizen_token(city: City) -> str:
    return create_api_token(user=city.citizen_a, name="odd")[1]


@PROPERTY
@given(
    email=field_value | st.just("warga.baru@contoh.id"),
    password=field_value | st.just("rahasia-Kuat-123"),
    full_name=field_value | st.just("Siti Rahmawati"),
    nik=field_value | st.just("3275014101900001"),
    phone=field_value | st.none(),
)
def test_registration_refuses_odd_input_cleanly(
    client: Client, db: None, email: Any, password: Any, full_name: Any, nik: Any, phone: Any
) -> None:
    before = counts()
    body = {"email": email, "password": password, "full_name": full_name, "nik": nik}
    if phone is not None:
        body["phone"] = phone

    response = send(client, "post", "/auth/register", body, None)

    assert_clear_refusal_or_success(response, success=201)
    if response.status_code == 201:
        user = User.objects.get(pk=response.json()["id"])
        for value in (user.email, user.full_name, user.nik, user.phone):
            assert stored_text_is_clean(value), repr(value)
        user.delete()
        OutboxMessage.objects.filter(recipient=user.email).delete()
    else:
        assert counts()["users"] == before["users"]
        assert counts()["outbox"] == before["outbox"]


@PROPERTY
@given(slot_id=json_values | odd_text)
def test_booking_refuses_odd_slot_ids(client: Client, citizen_token: str, slot_id: Any) -> None:
    before = counts()
    response = send(client, "post", "/bookings", {"slot_id": slot_id}, citizen_token)
    assert_clear_refusal_or_success(response, success=201)
    assert response.status_code != 201
    assert counts() == before


@PROPERTY
@given(body=json_values)
def test_booking_refuses_bodies_of_any_shape(client: Client, citizen_token: str, body: Any) -> None:
    before = counts()
    response = send(client, "post", "/bookings", body, citizen_token)
    assert_clear_refusal_or_success(response, success=201)
    assert response.status_code != 201
    assert counts() == before


@PROPERTY
@given(code=odd_text.filter(lambda text: "/" not in text and "?" not in text and "#" not in text))
def test_booking_lookup_refuses_odd_codes(client: Client, citizen_token: str, code: str) -> None:
    from urllib.parse import quote

    response = client.get(
        f"/api/v1/bookings/{quote(code.encode('utf-8', 'surrogatepass'), safe='')}",
        headers={"authorization": f"Bearer {citizen_token}"},
    )
    assert_clear_refusal_or_success(response, success=200)
    assert response.status_code in (404, 422)


@PROPERTY
@given(
    service=field_value | st.just("layanan-a"),
    sites=field_value | st.just(["gerai-s"]),
    earliest=odd_dates,
    latest=odd_dates,
    auto_book=json_values,
)
def test_waitlist_join_refuses_odd_input_cleanly(
    client: Client,
    city: City,
    service: Any,
    sites: Any,
    earliest: Any,
    latest: Any,
    auto_book: Any,
) -> None:
    token = create_api_token(user=city.citizen_b, name="odd")[1]
    before = counts()
    body = {
        "service": service,
        "sites": sites,
        "earliest": earliest,
        "latest": latest,
        "auto_book": auto_book,
    }
    response = send(client, "post", "/waitlist", body, token)
    assert_clear_refusal_or_success(response, success=201)
    if response.status_code == 201:
        WaitlistEntry.objects.filter(pk=response.json()["id"]).delete()
    else:
        assert counts() == before


@PROPERTY
@given(
    site=odd_text | st.just("gerai-s"),
    service=odd_text | st.just("layanan-a"),
    start=odd_dates | st.none(),
    end=odd_dates | st.none(),
)
def test_availability_refuses_odd_queries_cleanly(
    client: Client, city: City, site: str, service: str, start: Any, end: Any
) -> None:
    params = {"site": site, "service": service}
    if start is not None:
        params["from"] = start if isinstance(start, str) else json.dumps(start)
    if end is not None:
        params["to"] = end if isinstance(end, str) else json.dumps(end)
    # A lone surrogate cannot be percent-encoded as UTF-8; a browser sends U+FFFD.
    params = {
        key: value.encode("utf-8", "replace").decode("utf-8") for key, value in params.items()
    }
    response = client.get("/api/v1/availability", params)
    assert_clear_refusal_or_success(response, success=200)


ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("now", "expect_day"),
    [
        # 23:59:59.999999 local on Tuesday: still Tuesday at the site.
        ("2026-06-02T23:59:59.999999", "2026-06-02"),
        # Midnight local: Wednesday, whatever the date is in UTC.
        ("2026-06-03T00:00:00", "2026-06-03"),
    ],
)
def test_availability_defaults_to_the_sites_own_today_around_midnight(
    client: Client, db: None, frozen_clock: Any, zone: str, now: str, expect_day: str
) -> None:
    from zoneinfo import ZoneInfo

    site = f.SiteFactory.create(slug="gerai-zona", timezone=zone)
    service = f.ServiceFactory.create(slug="layanan-zona")
    f.SiteServiceFactory.create(site=site, service=service)
    frozen_clock.move_to(dt.datetime.fromisoformat(now).replace(tzinfo=ZoneInfo(zone)))

    response = client.get("/api/v1/availability", {"site": site.slug, "service": service.slug})

    assert response.status_code == 200, response.content
    assert response.json()["from"] == expect_day
    assert response.json()["timezone"] == zone


@pytest.mark.parametrize("zone", ZONES)
def test_a_holiday_has_no_slots_and_a_slot_left_on_it_is_refused_cleanly(
    client: Client, db: None, zone: str
) -> None:
    """A closure added after the slots were made closes them (the back office
    re-materialises); booking one is a 422 problem, whatever the site's zone."""
    from zoneinfo import ZoneInfo

    site = f.SiteFactory.create(slug="gerai-libur", timezone=zone)
    service = f.ServiceFactory.create(slug="layanan-libur")
    site_service = f.SiteServiceFactory.create(site=site, service=service)
    f.ScheduleRuleFactory.create(site_service=site_service)
    day = dt.date(2026, 6, 9)
    materialise_slots(site_service=site_service, start=day, end=day)
    slot = Slot.objects.filter(site_service=site_service).earliest("start")
    assert slot.start.astimezone(ZoneInfo(zone)).date() == day
    Closure.objects.create(site=site, start_date=day, end_date=day, reason="Libur")
    materialise_slots(site_service=site_service, start=day, end=day)
    citizen = f.CitizenFactory.create()
    token = create_api_token(user=citizen, name="odd")[1]
    before = counts()

    listed = client.get(
        "/api/v1/availability",
        {"site": site.slug, "service": service.slug, "from": "2026-06-09", "to": "2026-06-09"},
    )
    booked = send(client, "post", "/bookings", {"slot_id": slot.pk}, token)

    assert listed.status_code == 200
    assert listed.json()["slots"] == []
    assert_clear_refusal_or_success(booked, success=201)
    assert booked.status_code in (404, 422), booked.content
    assert counts() == before


@pytest.mark.parametrize("path", ["/waitlist", "/waitlist/requests", "/bookings", "/sites"])
@pytest.mark.parametrize("offset", [2**63, 10**40])
def test_an_offset_past_every_integer_is_an_empty_page(
    client: Client, citizen_token: str, path: str, offset: int
) -> None:
    response = client.get(
        f"/api/v1{path}",
        {"offset": offset, "limit": 5},
        headers={"authorization": f"Bearer {citizen_token}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []


def body_schemas() -> Iterator[tuple[str, type[BaseModel]]]:
    """The schema of every operation's JSON body, with the operation's name."""
    from ninja.params.models import BodyModel

    from antre.api.app import api

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if issubclass(model, BodyModel):
                        for field in model.model_fields.values():
                            assert isinstance(field.annotation, type)
                            yield operation.operation_id or "", field.annotation


def id_errors(schema: type[BaseModel], name: str, value: Any) -> list[str]:
    """The types of the errors about ``name`` when the body sends ``value`` for it."""
    try:
        schema.model_validate({name: value})
    except ValidationError as error:
        return [problem["type"] for problem in error.errors() if problem["loc"] == (name,)]
    return []


def test_every_id_in_a_body_is_a_json_integer_only() -> None:
    """``true``, ``"17976"`` and ``17976.0`` are no ids (pydantic would take
    them for 1 and 17976): every ``id`` or ``*_id`` field of every input schema."""
    checked = set()
    for operation, schema in body_schemas():
        for name in schema.model_fields:
            if name != "id" and not name.endswith("_id"):
                continue
            checked.add((schema.__name__, name))
            assert id_errors(schema, name, 17976) == [], operation
            for lax in (True, "17976", 17976.0):
                assert id_errors(schema, name, lax) == ["int_type"], (operation, lax)

    assert checked >= {
        ("BookingIn", "slot_id"),
        ("RescheduleIn", "slot_id"),
        ("AcceptIn", "offer_id"),
    }


@pytest.mark.parametrize(
    ("path", "query"),
    [
        # A week from the last day there is, a day after it, a week before the first.
        ("/availability", {"from": "9999-12-31"}),
        ("/availability", {"from": "9999-12-31", "to": "9999-12-31"}),
        ("/availability", {"from": "0001-01-01", "to": "0001-01-01"}),
        ("/reports/daily", {"to": "0001-01-01"}),
        ("/reports/daily", {"from": "9999-12-31", "to": "9999-12-31"}),
        ("/availability", {"from": "1999-12-31"}),
        ("/availability", {"from": "3000-01-01"}),
    ],
)
def test_a_day_near_either_end_of_the_calendar_is_a_422_naming_the_bounds(
    client: Client, city: City, path: str, query: dict[str, str]
) -> None:
    token = create_api_token(user=city.city_admin, name="odd")[1]
    params = dict(query)
    if path == "/availability":
        params |= {"site": "gerai-s", "service": "layanan-a"}
    response = client.get(f"/api/v1{path}", params, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert {error["msg"] for error in body["errors"]} == {
        "Harus tanggal antara 2000-01-01 dan 2999-12-31."
    }


@pytest.mark.parametrize("earliest", ["9999-12-31", "0001-01-01", 20260602])
def test_a_waitlist_day_out_of_bounds_or_not_a_date_string_changes_nothing(
    client: Client, city: City, earliest: Any
) -> None:
    token = create_api_token(user=city.citizen_b, name="odd")[1]
    before = counts()
    body = {"service": "layanan-a", "earliest": earliest, "latest": "2026-06-30"}
    response = send(client, "post", "/waitlist", body, token)
    assert response.status_code == 422, response.content
    assert [error["loc"][-1] for error in response.json()["errors"]] == ["earliest"]
    assert counts() == before
