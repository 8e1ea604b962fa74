"""Changing rules, hours, closures and offers in the back office regenerates
slots at once and leaves an audit record."""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from antre.backoffice.tests.conftest import login
from antre.booking.models import Booking, BookingStatus, Slot
from antre.booking.services import create_booking
from antre.catalog.models import Closure, ScheduleRule
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.testing.personas import City

WIB = dt.timezone(dt.timedelta(hours=7))


def rule_data(site_service_id: int, **changes: object) -> dict[str, object]:
    return {
        "site_service": site_service_id,
        "weekdays": ["0", "1", "2", "3", "4"],
        "starts_at": "09:00",
        "ends_at": "12:00",
        "slot_minutes": 30,
        "capacity": 5,
        "valid_from": "",
        "valid_until": "",
        **changes,
    }


def closure_data(**values: object) -> dict[str, object]:
    return {
        "site": "",
        "service": "",
        "start_date": "2026-06-10",
        "end_date": "2026-06-10",
        "reason": "Pemadaman listrik",
        "source": Closure.Source.LOCAL,
        **values,
    }


def messages_of(response: object) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_saving_a_schedule_rule_creates_its_slots(client: Client, city: City) -> None:
    site_service = city.site_service(city.site_s, city.service_a)
    login(client, city.site_admin_s)

    response = client.post(reverse("admin:catalog_schedulerule_add"), rule_data(site_service.pk))

    assert response.status_code == 302
    rule = ScheduleRule.objects.get()
    slots = Slot.objects.filter(site_service=site_service)
    # 2 June 2026 09:05 WIB is a Tuesday: from 09:30 today, then six slots on
    # each weekday of the 30-day horizon.
    assert slots.count() > 100
    assert set(slots.values_list("rule_id", flat=True)) == {rule.pk}
    assert set(slots.values_list("capacity", flat=True)) == {5}
    first = slots.order_by("start").first()
    assert first is not None
    assert first.start == dt.datetime(2026, 6, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert any(f"{slots.count()} dibuat" in message for message in messages_of(response))


def test_an_agency_admin_changing_capacity_updates_future_slots(client: Client, city: City) -> None:
    site_service = city.site_service(city.site_t, city.service_a)
    login(client, city.agency_admin_a)
    client.post(reverse("admin:catalog_schedulerule_add"), rule_data(site_service.pk))
    rule = ScheduleRule.objects.get()

    response = client.post(
        reverse("admin:catalog_schedulerule_change", args=[rule.pk]),
        rule_data(site_service.pk, capacity=8),
    )

    assert response.status_code == 302
    assert set(Slot.objects.values_list("capacity", flat=True)) == {8}


def test_deleting_a_schedule_rule_removes_its_empty_slots(client: Client, city: City) -> None:
    site_service = city.site_service(city.site_s, city.service_b)
    login(client, city.agency_admin_b)
    client.post(reverse("admin:catalog_schedulerule_add"), rule_data(site_service.pk))
    rule = ScheduleRule.objects.get()

    response = client.post(
        reverse("admin:catalog_schedulerule_delete", args=[rule.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Slot.objects.exists()


def test_an_agency_admin_cannot_add_a_rule_for_another_agencys_service(
    client: Client, city: City
) -> None:
    login(client, city.agency_admin_a)
    site_service_b = city.site_service(city.site_s, city.service_b)

    response = client.post(reverse("admin:catalog_schedulerule_add"), rule_data(site_service_b.pk))

    assert response.status_code == 200
    assert not ScheduleRule.objects.exists()
    assert not Slot.objects.exists()


def test_a_closure_closes_the_slots_of_that_day(client: Client, city: City) -> None:
    site_service = city.site_service(city.site_s, city.service_a)
    login(client, city.site_admin_s)
    client.post(reverse("admin:catalog_schedulerule_add"), rule_data(site_service.pk))
    on_the_day = Slot.objects.filter(start__date=dt.date(2026, 6, 10))
    assert on_the_day.count() == 6

    response = client.post(reverse("admin:catalog_closure_add"), closure_data(site=city.site_s.pk))

    assert response.status_code == 302
    assert on_the_day.count() == 0
    assert any("6 dihapus" in message for message in messages_of(response))

    closure = Closure.objects.get()
    client.post(reverse("admin:catalog_closure_delete", args=[closure.pk]), {"post": "yes"})

    assert on_the_day.count() == 6


def test_a_site_admin_cannot_close_every_site(client: Client, city: City) -> None:
    login(client, city.site_admin_s)

    response = client.post(reverse("admin:catalog_closure_add"), closure_data())

    assert response.status_code == 200
    assert "tidak berwenang" in response.content.decode()
    assert not Closure.objects.exists()


def test_an_agency_admin_closes_their_service_everywhere_but_not_a_site(
    client: Client, city: City
) -> None:
    login(client, city.agency_admin_a)

    whole_site = client.post(
        reverse("admin:catalog_closure_add"), closure_data(site=city.site_s.pk)
    )
    own_service = client.post(
        reverse("admin:catalog_closure_add"), closure_data(service=city.service_a.pk)
    )
    other_service = client.post(
        reverse("admin:catalog_closure_add"), closure_data(service=city.service_b.pk)
    )

    assert whole_site.status_code == 200
    assert own_service.status_code == 302
    assert other_service.status_code == 200
    assert list(Closure.objects.values_list("site_id", "service_id")) == [(None, city.service_a.pk)]


def test_changing_opening_hours_regenerates_the_sites_slots(client: Client, city: City) -> None:
    site_s = city.site_s
    site_service = city.site_service(site_s, city.service_a)
    login(client, city.site_admin_s)
    client.post(reverse("admin:catalog_schedulerule_add"), rule_data(site_service.pk))
    before = Slot.objects.count()
    hours = list(site_s.opening_hours.order_by("weekday"))
    data: dict[str, object] = {
        "slug": site_s.slug,
        "name": site_s.name,
        "address": site_s.address,
        "timezone": site_s.timezone,
        "room_capacity": site_s.room_capacity,
        "checkin_opens_minutes": site_s.checkin_opens_minutes,
        "checkin_closes_minutes": site_s.checkin_closes_minutes,
        "appointment_due_minutes": site_s.appointment_due_minutes,
        "walk_in_share": site_s.walk_in_share,
        "no_show_after_recalls": site_s.no_show_after_recalls,
        "is_active": "on",
        "opening_hours-TOTAL_FORMS": len(hours),
        "opening_hours-INITIAL_FORMS": len(hours),
    }
    for index, item in enumerate(hours):
        data |= {
            f"opening_hours-{index}-id": item.pk,
            f"opening_hours-{index}-site": site_s.pk,
            f"opening_hours-{index}-weekday": item.weekday,
            f"opening_hours-{index}-opens": "08:00",
            # Wednesdays close at 10:00: the 10:00-12:00 slots go.
            f"opening_hours-{index}-closes": "10:00" if item.weekday == 2 else "15:00",
        }

    response = client.post(reverse("admin:catalog_site_change", args=[site_s.pk]), data)

    assert response.status_code == 302
    wednesdays = Slot.objects.filter(start__week_day=4)  # Sunday is 1 in Django
    assert Slot.objects.count() < before
    assert wednesdays.exists()
    assert all(slot.start.astimezone(site_s.tzinfo).time() < dt.time(10, 0) for slot in wednesdays)
    assert AuditEvent.objects.filter(action="catalog.site.openinghours_changed").exists()


def test_admin_changes_are_audited_with_site_and_agency(client: Client, city: City) -> None:
    site_service = city.site_service(city.site_t, city.service_b)
    login(client, city.agency_admin_b)

    client.post(reverse("admin:catalog_schedulerule_add"), rule_data(site_service.pk))

    event = AuditEvent.objects.get(action="catalog.schedulerule.created")
    assert event.actor == city.agency_admin_b
    assert (event.site_id, event.agency_id) == (city.site_t.pk, city.agency_b.pk)
    assert event.target_id == str(ScheduleRule.objects.get().pk)
    assert "capacity" in event.data["fields"]


# ---------------------------------------------- edits that would strand a booking


def booked_rule(client: Client, city: City) -> tuple[ScheduleRule, Booking]:
    """A rule at site S for service A, and a citizen booked on Wednesday
    10 June 2026 at 10:00 (WIB)."""
    site_service = city.site_service(city.site_s, city.service_a)
    login(client, city.site_admin_s)
    client.post(reverse("admin:catalog_schedulerule_add"), rule_data(site_service.pk))
    slot = Slot.objects.get(start=dt.datetime(2026, 6, 10, 10, 0, tzinfo=WIB))
    booking = create_booking(citizen=f.CitizenFactory(), slot_id=slot.pk)
    return ScheduleRule.objects.get(), booking


def assert_refused(response: object, booking: Booking, *, link: str) -> None:
    assert response.status_code == 302  # type: ignore[attr-defined]
    shown = " ".join(messages_of(response))
    assert "Tidak disimpan" in shown
    assert "1 pemesanan" in shown
    assert f'href="{link}"' in shown
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.slot.is_open
    assert not OutboxMessage.objects.filter(kind="booking_schedule_change").exists()


def test_deleting_a_rule_with_bookings_is_refused_and_points_to_the_schedule_page(
    client: Client, city: City
) -> None:
    rule, booking = booked_rule(client, city)
    slots_before = Slot.objects.count()
    schedule_page = reverse("admin:schedule", args=[rule.site_service_id])

    response = client.post(
        reverse("admin:catalog_schedulerule_delete", args=[rule.pk]), {"post": "yes"}
    )

    assert_refused(response, booking, link=schedule_page)
    assert ScheduleRule.objects.filter(pk=rule.pk).exists()
    assert Slot.objects.count() == slots_before
    assert not AuditEvent.objects.filter(action="catalog.schedulerule.deleted").exists()


def test_the_bulk_delete_of_rules_with_bookings_is_refused(client: Client, city: City) -> None:
    rule, booking = booked_rule(client, city)

    response = client.post(
        reverse("admin:catalog_schedulerule_changelist"),
        {"action": "delete_selected", "_selected_action": [rule.pk], "post": "yes"},
    )

    assert_refused(response, booking, link=reverse("admin:schedule", args=[rule.site_service_id]))
    assert ScheduleRule.objects.filter(pk=rule.pk).exists()


def test_shrinking_a_booked_slot_is_refused_but_growing_it_is_saved(
    client: Client, city: City
) -> None:
    rule, booking = booked_rule(client, city)
    change = reverse("admin:catalog_schedulerule_change", args=[rule.pk])
    # Move the hours so that 10:00 is no longer a slot.
    refused = client.post(
        change, rule_data(rule.site_service_id, starts_at="08:00", ends_at="10:00")
    )
    grown = client.post(change, rule_data(rule.site_service_id, capacity=9))

    assert_refused(refused, booking, link=reverse("admin:schedule", args=[rule.site_service_id]))
    assert grown.status_code == 302
    booking.refresh_from_db()
    assert booking.slot.capacity == 9
    assert booking.status == BookingStatus.CONFIRMED


def test_a_closure_over_a_booked_day_is_refused(client: Client, city: City) -> None:
    rule, booking = booked_rule(client, city)

    refused = client.post(reverse("admin:catalog_closure_add"), closure_data(site=city.site_s.pk))
    elsewhere = client.post(
        reverse("admin:catalog_closure_add"),
        closure_data(site=city.site_s.pk, start_date="2026-06-11", end_date="2026-06-11"),
    )

    assert_refused(refused, booking, link=reverse("admin:schedule", args=[rule.site_service_id]))
    assert elsewhere.status_code == 302
    assert list(Closure.objects.values_list("start_date", flat=True)) == [dt.date(2026, 6, 11)]


def test_opening_hours_that_strand_a_booking_are_refused(client: Client, city: City) -> None:
    rule, booking = booked_rule(client, city)
    site_s = city.site_s
    hours = list(site_s.opening_hours.order_by("weekday"))
    data: dict[str, object] = {
        "name": site_s.name,
        "address": site_s.address,
        "timezone": site_s.timezone,
        "room_capacity": site_s.room_capacity,
        "checkin_opens_minutes": site_s.checkin_opens_minutes,
        "checkin_closes_minutes": site_s.checkin_closes_minutes,
        "appointment_due_minutes": site_s.appointment_due_minutes,
        "walk_in_share": site_s.walk_in_share,
        "no_show_after_recalls": site_s.no_show_after_recalls,
        "is_active": "on",
        "opening_hours-TOTAL_FORMS": len(hours),
        "opening_hours-INITIAL_FORMS": len(hours),
    }
    for index, item in enumerate(hours):
        data |= {
            f"opening_hours-{index}-id": item.pk,
            f"opening_hours-{index}-site": site_s.pk,
            f"opening_hours-{index}-weekday": item.weekday,
            f"opening_hours-{index}-opens": "08:00",
            f"opening_hours-{index}-closes": "10:00" if item.weekday == 2 else "15:00",
        }

    response = client.post(reverse("admin:catalog_site_change", args=[site_s.pk]), data)

    assert_refused(response, booking, link=reverse("admin:schedule", args=[rule.site_service_id]))
    assert set(site_s.opening_hours.values_list("closes", flat=True)) != {dt.time(10, 0)}
    assert site_s.opening_hours.get(weekday=2).closes != dt.time(10, 0)


def test_switching_off_a_booked_site_service_is_refused(client: Client, city: City) -> None:
    rule, booking = booked_rule(client, city)
    site_service = rule.site_service

    response = client.post(
        reverse("admin:catalog_siteservice_change", args=[site_service.pk]),
        {
            "site": site_service.site_id,
            "service": site_service.service_id,
            "ticket_prefix": site_service.ticket_prefix,
            "walk_in_daily_quota": site_service.walk_in_daily_quota or "",
        },
    )

    assert_refused(response, booking, link=reverse("admin:schedule", args=[site_service.pk]))
    site_service.refresh_from_db()
    assert site_service.is_active
