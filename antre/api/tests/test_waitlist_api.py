import datetime as dt

import pytest

from antre.accounts.tokens import create_api_token
from antre.api.tests.conftest import LAX_IDS
from antre.booking.services import cancel_booking, create_booking
from antre.testing import factories as f
from antre.waitlist.models import Offer, OfferStatus, WaitlistEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_slot():
    start = dt.datetime(2026, 6, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    slot = f.SlotFactory(start=start, end=start + dt.timedelta(minutes=30), capacity=1)
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    return slot, booking


def auth(citizen):
    return {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=citizen, name='t')[1]}"}


def join(client, headers, slot, **extra):
    body = {
        "service": slot.site_service.service.slug,
        "sites": [slot.site_service.site.slug],
        "earliest": "2026-06-01",
        "latest": "2026-06-12",
        **extra,
    }
    return client.post("/api/v1/waitlist", body, content_type="application/json", **headers)


def test_join_see_position_get_an_offer_and_accept_it(client, full_slot):
    slot, booking = full_slot
    citizen = f.CitizenFactory()
    headers = auth(citizen)

    joined = join(client, headers, slot)
    assert joined.status_code == 201, joined.content
    body = joined.json()
    assert body["status"] == "waiting"
    assert body["position"] == 1
    assert body["seats_needed"] == 1

    cancel_booking(booking=booking, actor=None)
    listed = client.get("/api/v1/waitlist", **headers).json()
    assert listed["count"] == 1
    offer = listed["items"][0]["offer"]
    assert offer["slot_id"] == slot.pk
    assert offer["start"].endswith("+07:00")

    accepted = client.post(
        f"/api/v1/waitlist/{body['id']}/accept",
        {"offer_id": offer["id"]},
        content_type="application/json",
        **headers,
    )
    assert accepted.status_code == 201
    assert accepted.json()["slot"]["id"] == slot.pk


def test_an_expired_offer_is_409(client, full_slot, frozen_clock):
    slot, booking = full_slot
    citizen = f.CitizenFactory()
    headers = auth(citizen)
    entry_id = join(client, headers, slot).json()["id"]
    cancel_booking(booking=booking, actor=None)
    offer = Offer.objects.get()
    frozen_clock.advance(hours=13)

    response = client.post(
        f"/api/v1/waitlist/{entry_id}/accept",
        {"offer_id": offer.pk},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "offer_expired"


def test_leave_and_the_entries_of_others_are_not_found(client, full_slot):
    slot, _booking = full_slot
    mine = auth(f.CitizenFactory())
    entry_id = join(client, mine, slot).json()["id"]
    other = auth(f.CitizenFactory())

    assert client.delete(f"/api/v1/waitlist/{entry_id}", **other).status_code == 404
    assert client.delete(f"/api/v1/waitlist/{entry_id}", **mine).status_code == 204
    again = client.delete(f"/api/v1/waitlist/{entry_id}", **mine)
    assert again.status_code == 409
    assert again.json()["code"] == "not_waiting"


def test_bad_input(client, full_slot):
    slot, _booking = full_slot
    headers = auth(f.CitizenFactory())
    assert join(client, headers, slot, latest="2026-05-01").json()["code"] == "invalid_range"
    assert join(client, headers, slot, sites=["nowhere"]).json()["code"] == "unknown_site"
    assert join(client, headers, slot, service="nothing").status_code == 404
    assert join(client, headers, slot, latest="soon").status_code == 422
    assert client.get("/api/v1/waitlist").status_code == 401


@pytest.mark.parametrize(
    ("zone", "offset"), [("Asia/Jakarta", "+07:00"), ("Asia/Makassar", "+08:00")]
)
def test_the_entrys_times_carry_its_sites_offset(client, zone, offset):
    start = dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC)
    slot = f.SlotFactory(
        site_service__site__timezone=zone, start=start, end=start + dt.timedelta(minutes=30)
    )
    headers = auth(f.CitizenFactory())

    joined = join(client, headers, slot)
    listed = client.get("/api/v1/waitlist", **headers).json()["items"][0]

    assert joined.status_code == 201, joined.content
    for body in (joined.json(), listed):
        created = dt.datetime.fromisoformat(body["created"])
        assert body["created"].endswith(offset), body["created"]
        assert created == WaitlistEntry.objects.get().created_at


def test_leaving_is_204_without_a_content_type(client, full_slot):
    slot, _booking = full_slot
    headers = auth(f.CitizenFactory())
    entry_id = join(client, headers, slot).json()["id"]

    response = client.delete(f"/api/v1/waitlist/{entry_id}", **headers)

    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response


@pytest.mark.parametrize("lax", LAX_IDS.values(), ids=LAX_IDS.keys())
def test_accepting_takes_only_an_integer_offer_id(client, full_slot, lax):
    slot, booking = full_slot
    headers = auth(f.CitizenFactory())
    entry_id = join(client, headers, slot).json()["id"]
    cancel_booking(booking=booking, actor=None)
    offer = Offer.objects.get()

    response = client.post(
        f"/api/v1/waitlist/{entry_id}/accept",
        {"offer_id": lax(offer.pk)},
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["errors"][0]["loc"] == ["body", "payload", "offer_id"]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN
