"""Direct database access for the runner and the raw ceiling (no Django).

The runner resets the hot slots between phases, checks for overselling,
bulk-generates bookings for the growth phases and reads the plans of the
statements, all with the plain drivers antre uses (sqlite3 with antre's
pragmas, psycopg 3).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import sql

ACTIVE = ("confirmed", "checked_in")


@dataclass(frozen=True)
class Target:
    """One benchmark database: its vendor and where it is."""

    vendor: str  # "sqlite" or "postgresql"
    url: str  # DATABASE_URL as antre reads it
    path: Path | None = None  # SQLite file
    conninfo: str = ""  # PostgreSQL URL for psycopg
    name: str = ""  # PostgreSQL database name

    @property
    def placeholder(self) -> str:
        return "?" if self.vendor == "sqlite" else "%s"

    def ts(self, moment: dt.datetime) -> object:
        return sql.sqlite_timestamp(moment) if self.vendor == "sqlite" else moment


def sqlite_target(path: Path) -> Target:
    return Target("sqlite", f"sqlite:///{path}", path=path)


def postgres_target(url: str) -> Target:
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    conninfo = url.replace("postgres://", "postgresql://", 1)
    return Target("postgresql", url, conninfo=conninfo, name=name)


def connect(target: Target, *, autocommit: bool = True) -> Any:
    """A connection in autocommit mode (the caller sends BEGIN/COMMIT), or for
    PostgreSQL with ``autocommit=False`` psycopg's implicit transactions."""
    if target.vendor == "sqlite":
        assert target.path is not None
        connection = sqlite3.connect(target.path, timeout=20, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection
    import psycopg

    return psycopg.connect(target.conninfo, autocommit=autocommit)


def q(target: Target, statement: str) -> str:
    """A statement written with ``%s`` in the vendor's placeholder style."""
    return statement.replace("%s", target.placeholder)


def rows(connection: Any, target: Target, statement: str, params: Sequence[Any] = ()) -> list[Any]:
    cursor = connection.execute(q(target, statement), params)
    return list(cursor.fetchall())


def scalar(connection: Any, target: Target, statement: str, params: Sequence[Any] = ()) -> Any:
    found = rows(connection, target, statement, params)
    return found[0][0] if found else None


def execute(connection: Any, target: Target, statement: str, params: Sequence[Any] = ()) -> int:
    cursor = connection.execute(q(target, statement), params)
    return int(cursor.rowcount)


def in_list(values: Iterable[int]) -> str:
    """An inline list of integers (ours, never user input) for ``IN (...)``."""
    return ", ".join(str(int(value)) for value in values) or "NULL"


def reset_slots(
    connection: Any, target: Target, days: list[list[int]], *, seats_per_day: int | None
) -> int:
    """Delete every booking of these slots and set each day's capacity so that
    the day holds ``seats_per_day`` seats (None: a seat count no phase can
    reach, for the raw ceiling). Returns the bookings deleted."""
    slot_ids = [slot for day in days for slot in day]
    connection.execute("BEGIN")
    deleted = execute(
        connection, target, f"DELETE FROM booking_booking WHERE slot_id IN ({in_list(slot_ids)})"
    )
    for day in days:
        capacity = 10_000_000 if seats_per_day is None else -(-seats_per_day // len(day))
        execute(
            connection,
            target,
            f"UPDATE booking_slot SET booked = 0, held = 0, capacity = %s, is_open = %s "
            f"WHERE id IN ({in_list(day)})",
            (capacity, True),
        )
    connection.execute("COMMIT")
    return deleted


def set_day_seats(connection: Any, target: Target, day: list[int], seats: int) -> None:
    """Spread exactly ``seats`` over the slots of one day."""
    base, extra = divmod(seats, len(day))
    connection.execute("BEGIN")
    for index, slot in enumerate(day):
        execute(
            connection,
            target,
            "UPDATE booking_slot SET capacity = %s WHERE id = %s",
            (base + (1 if index < extra else 0), slot),
        )
    connection.execute("COMMIT")


def oversold(connection: Any, target: Target, slot_ids: list[int]) -> dict[str, int]:
    """Slots of ``slot_ids`` with more seats taken than they have, or whose
    counter disagrees with their active bookings (both must be 0)."""
    statuses = ", ".join(f"'{status}'" for status in ACTIVE)
    found = rows(
        connection,
        target,
        f"""
        SELECT s.id, s.booked, s.held, s.capacity,
               (SELECT count(*) FROM booking_booking b
                 WHERE b.slot_id = s.id AND b.status IN ({statuses})) AS active
          FROM booking_slot s
         WHERE s.id IN ({in_list(slot_ids)})
        """,
    )
    over = sum(1 for _pk, booked, held, capacity, _active in found if booked + held > capacity)
    mismatched = sum(1 for _pk, booked, _held, _capacity, active in found if booked != active)
    return {
        "slots_checked": len(found),
        "over_capacity": over,
        "counter_mismatch": mismatched,
        "oversold": over + mismatched,
        "booked": sum(booked for _pk, booked, _held, _capacity, _active in found),
        "active_bookings": sum(active for *_rest, active in found),
    }


def ticket_duplicates(connection: Any, target: Target) -> dict[str, int]:
    """Tickets called more than once, and ticket numbers given twice in a day."""
    called_twice = scalar(
        connection,
        target,
        "SELECT count(*) FROM (SELECT ticket_id FROM onsite_ticketevent WHERE kind = 'called' "
        "GROUP BY ticket_id HAVING count(*) > 1) AS twice",
    )
    numbers_twice = scalar(
        connection,
        target,
        "SELECT count(*) FROM (SELECT site_id, service_date, prefix, sequence "
        "FROM onsite_ticket GROUP BY site_id, service_date, prefix, sequence "
        "HAVING count(*) > 1) AS twice",
    )
    tickets = scalar(connection, target, "SELECT count(*) FROM onsite_ticket")
    return {
        "tickets": int(tickets or 0),
        "called_twice": int(called_twice or 0),
        "numbers_twice": int(numbers_twice or 0),
        "duplicates": int(called_twice or 0) + int(numbers_twice or 0),
    }


def count_bookings(connection: Any, target: Target) -> int:
    return int(scalar(connection, target, "SELECT count(*) FROM booking_booking") or 0)
