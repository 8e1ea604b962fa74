"""The two statements of a booking, as the ceilings run them.

The bare Django view (``bench/bare``) and the raw processes (``bench/raw.py``)
execute exactly these, with the database's own placeholder style: one guarded
UPDATE that takes a seat only while ``booked < capacity`` (its row count says
whether it did), then one INSERT of the booking. antre's ``create_booking``
does the same two writes plus everything a real booking needs around them.
"""

from __future__ import annotations

import datetime as dt
import secrets

# Crockford base32 letters are upper case: lower-case codes never collide
# with antre's own booking codes.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def guarded_update(placeholder: str) -> str:
    return (
        "UPDATE booking_slot SET booked = booked + 1 "
        f"WHERE id = {placeholder} AND booked < capacity"
    )


def insert_booking(placeholder: str) -> str:
    columns = (
        "created_at",
        "updated_at",
        "code",
        "status",
        "cancel_reason",
        "citizen_id",
        "service_id",
        "site_id",
        "slot_id",
    )
    values = ", ".join([placeholder] * len(columns))
    return f"INSERT INTO booking_booking ({', '.join(columns)}) VALUES ({values})"


def booking_values(
    *, now: object, code: str, citizen_id: int | None, service_id: int, site_id: int, slot_id: int
) -> tuple[object, ...]:
    return (now, now, code, "confirmed", "", citizen_id, service_id, site_id, slot_id)


def random_code(prefix: str = "b") -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def sqlite_timestamp(moment: dt.datetime) -> str:
    """Django's SQLite storage format for an aware datetime: naive UTC text."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
