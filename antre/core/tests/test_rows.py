"""antre.core.rows.insert (and Insert) store the row save() would store."""

from typing import Any

import pytest
from django.db.models import signals
from django.forms.models import model_to_dict

from antre.booking.models import Booking
from antre.core import rows
from antre.core.models import IdempotencyRecord
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def stored(obj: Any) -> dict[str, Any]:
    row = type(obj).objects.get(pk=obj.pk)
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def new_booking(code: str) -> Booking:
    slot = f.SlotFactory()
    return Booking(
        code=code,
        citizen=f.CitizenFactory(),
        slot=slot,
        site=slot.site_service.site,
        service=slot.site_service.service,
        announce_pending=True,
    )


def test_a_booking_inserted_is_the_booking_save_would_store():
    saved, inserted = new_booking("SAVED0001"), new_booking("INSERTED1")
    saved.save()
    rows.insert(inserted)

    assert inserted.pk is not None
    assert not inserted._state.adding
    a, b = stored(saved), stored(inserted)
    different = {"id", "code", "citizen_id", "slot_id", "site_id", "service_id"}
    assert {k: v for k, v in a.items() if k not in different} == {
        k: v for k, v in b.items() if k not in different
    }
    assert b["code"] == "INSERTED1"
    assert b["announce_pending"] is True
    assert model_to_dict(Booking.objects.get(pk=inserted.pk))["slot"] == inserted.slot_id


def test_binary_and_text_fields_round_trip():
    user = f.CitizenFactory()
    record = rows.insert(
        IdempotencyRecord(
            user=user,
            key="k\u00e9y",
            method="POST",
            path="/api/v1/bookings",
            fingerprint="0" * 64,
            status_code=201,
            content_type="application/json",
            body=b'{"code": "\\u00e9"}\x00\xff',
        )
    )

    row = IdempotencyRecord.objects.get(pk=record.pk)
    assert bytes(row.body) == b'{"code": "\\u00e9"}\x00\xff'
    assert row.key == "k\u00e9y"
    assert row.created_at == record.created_at


def test_save_signals_are_sent_as_save_sends_them():
    heard: list[tuple[str, bool]] = []

    def pre(sender: Any, instance: Any, **kwargs: Any) -> None:
        heard.append(("pre", instance.pk is None))

    def post(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append(("post", created and instance.pk is not None))

    signals.pre_save.connect(pre, sender=Booking)
    signals.post_save.connect(post, sender=Booking)
    try:
        rows.insert(new_booking("SIGNALS01"))
    finally:
        signals.pre_save.disconnect(pre, sender=Booking)
        signals.post_save.disconnect(post, sender=Booking)

    assert heard == [("pre", True), ("post", True)]


def test_a_row_with_its_key_set_is_saved_the_ordinary_way():
    booking = new_booking("WITHKEY01")
    booking.pk = 987_654

    rows.insert(booking)

    assert Booking.objects.filter(pk=987_654, code="WITHKEY01").exists()


def test_prepared_rows_are_the_querysets_rows_converted_alike():
    import datetime as dt

    from antre.accounts.models import User

    users = [f.CitizenFactory(), f.CitizenFactory(is_active=False)]
    fields = ("id", "is_active", "date_joined", "email", "phone")
    prepared = rows.Prepared(
        lambda user_id, joined: (
            User.objects.filter(pk=user_id, date_joined__lte=joined)
            .order_by("pk")
            .values_list(*fields)
        )
    )
    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)

    for user in users:
        expected = list(
            User.objects.filter(pk=user.pk, date_joined__lte=later).values_list(*fields)
        )
        assert prepared.rows(user.pk, later) == expected
        assert isinstance(prepared.rows(user.pk, later)[0][1], bool)
    earlier = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
    assert prepared.rows(users[0].pk, earlier) == []


def test_prepared_instances_are_the_querysets_instances():
    booking = rows.insert(new_booking("INSTANCE1"))
    prepared = rows.Prepared(lambda code: Booking.objects.filter(code=code))

    [found] = prepared.instances("INSTANCE1")

    assert isinstance(found, Booking)
    assert not found._state.adding
    assert stored(found) == stored(booking)
    assert {
        field.attname: getattr(found, field.attname) for field in Booking._meta.concrete_fields
    } == stored(booking)
    assert prepared.instances("NOSUCH001") == []


def test_a_prepared_update_is_the_guarded_update_it_was_built_from():
    import datetime as dt

    from django.db.models import F, Q

    from antre.booking.models import Slot
    from antre.core.locking import capacity_guard

    slot = f.SlotFactory(capacity=2, booked=0)
    seat = rows.Prepared(
        lambda pk, now: capacity_guard(
            Slot, pk, used="booked", limit="capacity", condition=Q(start__gt=now)
        )
    )
    before = slot.start - dt.timedelta(minutes=1)

    assert seat.update(slot.pk, before) == 1
    assert seat.update(slot.pk, before) == 1
    assert seat.update(slot.pk, before) == 0  # full
    slot.refresh_from_db()
    assert slot.booked == 2
    Slot.objects.filter(pk=slot.pk).update(booked=F("booked") - 1)
    assert seat.update(slot.pk, slot.start) == 0  # started: the condition holds it


def test_prepared_refuses_values_it_cannot_find_again():
    from antre.booking.models import Slot

    twice = rows.Prepared(lambda pk: Slot.objects.filter(pk=pk, capacity__gte=pk))
    with pytest.raises(ValueError, match="2 times"):
        twice.rows(1)
    with pytest.raises(TypeError):
        rows.Prepared(lambda flag: Slot.objects.filter(is_open=flag)).rows(True)


def test_an_insert_is_converted_when_made_and_written_when_run():
    """``Insert`` does the converting up front (outside a write transaction)
    and only the statement when run: the row appears then, as save() would
    store it, and post_save follows it."""
    heard: list[str] = []

    def post(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append("post")

    booking = new_booking("LATER0001")
    signals.post_save.connect(post, sender=Booking)
    try:
        row = rows.Insert(booking)
        assert row.params
        assert not Booking.objects.filter(code="LATER0001").exists()
        assert heard == []

        assert row.run() is booking
    finally:
        signals.post_save.disconnect(post, sender=Booking)

    assert heard == ["post"]
    assert stored(booking)["code"] == "LATER0001"
    assert stored(booking)["created_at"] == booking.created_at


def prepared_statements(connection: Any) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_on_postgres_the_statements_run_prepared_and_are_seen_by_execute_wrappers():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    booking = rows.insert(new_booking("PREPARED1"))
    prepared = rows.Prepared(lambda code: Booking.objects.filter(code=code).values_list("pk"))

    with CaptureQueriesContext(connection) as captured:
        assert prepared.rows("PREPARED1") == [(booking.pk,)]
        assert prepared.rows("PREPARED1") == [(booking.pk,)]

    assert len(captured) == 2  # query logging and assertNumQueries still count them
    assert prepared.compiled[("default", (str,))].sql.replace("%s", "$1") in prepared_statements(
        connection
    )
    assert any(
        statement.startswith('INSERT INTO "booking_booking"')
        for statement in (prepared_statements(connection))
    )


def test_with_prepared_statements_off_the_statements_bind_on_the_client(monkeypatch):
    from django.db import connection

    monkeypatch.delitem(connection.settings_dict["OPTIONS"], "prepare_threshold", raising=False)
    before = set(prepared_statements(connection)) if connection.vendor == "postgresql" else set()
    booking = rows.insert(new_booking("CLIENTSI1"))
    # A statement of its own, prepared by no other test on this connection.
    prepared = rows.Prepared(
        lambda code: Booking.objects.filter(code=code).values_list("code", "id")
    )

    assert prepared.rows("CLIENTSI1") == [("CLIENTSI1", booking.pk)]
    if connection.vendor == "postgresql":
        assert set(prepared_statements(connection)) == before
