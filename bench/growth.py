"""Bulk history for the growth phases: past slots and their bookings, in SQL.

Each step adds bookings until the table holds the wanted number. They are
history, as a city accumulates it: slots of every site service half an hour
apart from 2019 on (ten seats each), every seat taken by a booking that is
now completed (70 %), cancelled (20 %) or a no-show (10 %), owned by the test
citizens in turn. None is active, so the one-active-booking-per-service rule
and the per-citizen cap are untouched, and each slot's counter (0 active)
stays right. Codes are ``g`` and 8 digits: lower case, never one of antre's.

PostgreSQL: ``INSERT ... SELECT`` over ``generate_series``; SQLite: the same
over a recursive CTE. Both in one transaction per table.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench import db

SEATS_PER_SLOT = 10
EPOCH = "2019-01-01 01:00:00"


HISTORY_END = "2024-01-01 00:00:00"
"""Synthetic slots start at EPOCH and stay well before this (10 M bookings
of about 90 site services reach mid-2019): the demo's own slots are later."""


def grow(
    connection: Any,
    target: db.Target,
    *,
    to_size: int,
    citizen_range: list[int] | None,
    parallel: int = 1,
    time_limit: float = 3600.0,
) -> dict[str, Any]:
    """Add bookings until the table holds ``to_size``; every statement is cut
    off after ``time_limit`` seconds (the run's deadline), raising."""
    started = time.perf_counter()
    try:
        return _grow(
            connection,
            target,
            to_size=to_size,
            citizen_range=citizen_range,
            parallel=parallel,
            time_limit=time_limit,
            started=started,
        )
    finally:
        if target.vendor == "postgresql":
            connection.execute("RESET statement_timeout")
            connection.execute("RESET session_replication_role")
            connection.execute("RESET synchronous_commit")
        else:
            connection.set_progress_handler(None, 0)
            connection.execute("PRAGMA cache_size = -2000")


def _grow(
    connection: Any,
    target: db.Target,
    *,
    to_size: int,
    citizen_range: list[int] | None,
    parallel: int,
    time_limit: float,
    started: float,
) -> dict[str, Any]:
    current = db.count_bookings(connection, target)
    missing = to_size - current
    if missing <= 0:
        return {"added": 0, "bookings": current, "seconds": 0.0}
    site_services = int(db.scalar(connection, target, "SELECT count(*) FROM catalog_siteservice"))
    slots_needed = -(-missing // SEATS_PER_SLOT)
    steps = -(-slots_needed // site_services)
    # Continue after the synthetic slots already there (an earlier step).
    existing = int(
        db.scalar(
            connection,
            target,
            "SELECT count(*) FROM booking_slot WHERE start < %s",
            (target.ts(dt.datetime.fromisoformat(HISTORY_END).replace(tzinfo=dt.UTC)),),
        )
    )
    first_step = -(-existing // site_services)
    last_step = first_step + steps - 1
    last_slot = int(db.scalar(connection, target, "SELECT coalesce(max(id), 0) FROM booking_slot"))
    if citizen_range:
        low, high = citizen_range
        citizen = f"{low} + ((s.id * 10 + seat.i) * 7919) % {high - low + 1}"
    else:
        citizen = "NULL"
    code_number = "s.id * 10 + seat.i"
    status = (
        f"CASE WHEN ({code_number}) % 10 < 7 THEN 'completed' "
        f"WHEN ({code_number}) % 10 < 9 THEN 'cancelled' ELSE 'no_show' END"
    )
    limit_ms = max(int(time_limit * 1000), 1000)
    if target.vendor == "postgresql":
        connection.execute(f"SET statement_timeout = {limit_ms}")
        connection.execute("SET synchronous_commit = off")
        connection.execute("SET maintenance_work_mem = '256MB'")
        # The rows are valid by construction: skip the per-row foreign-key
        # triggers (four lookups a row) for this session's bulk insert only.
        connection.execute("SET session_replication_role = replica")
        slots_sql = f"""
            INSERT INTO booking_slot
                (site_service_id, rule_id, start, "end", capacity, booked, held,
                 reserved, overbook, is_open)
            SELECT ss.id, NULL,
                   TIMESTAMPTZ '{EPOCH}+00' + step * INTERVAL '30 minutes',
                   TIMESTAMPTZ '{EPOCH}+00' + (step + 1) * INTERVAL '30 minutes',
                   {SEATS_PER_SLOT}, 0, 0, 0, 0, TRUE
              FROM catalog_siteservice ss
             CROSS JOIN generate_series({first_step}, {last_step}) AS step
             ORDER BY step, ss.id
        """
        bookings_sql = f"""
            INSERT INTO booking_booking
                (created_at, updated_at, code, status, cancelled_at, cancel_reason,
                 citizen_id, service_id, site_id, slot_id)
            SELECT s.start - INTERVAL '7 days', s.start,
                   'g' || lpad(({code_number})::text, 8, '0'),
                   {status},
                   CASE WHEN ({code_number}) % 10 IN (7, 8)
                        THEN s.start - INTERVAL '1 day' END,
                   '',
                   {citizen}, ss.service_id, ss.site_id, s.id
              FROM booking_slot s
              JOIN catalog_siteservice ss ON ss.id = s.site_service_id
             CROSS JOIN generate_series(0, {SEATS_PER_SLOT - 1}) AS seat(i)
             WHERE s.id > {{low}} AND s.id <= {{high}}
               AND (s.id - {{first}}) * {SEATS_PER_SLOT} + seat.i < {missing}
        """
    else:
        connection.execute("PRAGMA cache_size = -262144")  # 256 MB for this connection
        stop_at = time.monotonic() + time_limit
        # A non-zero answer aborts the running statement ("interrupted").
        connection.set_progress_handler(lambda: int(time.monotonic() > stop_at), 100_000)
        slots_sql = f"""
            INSERT INTO booking_slot
                (site_service_id, rule_id, start, "end", capacity, booked, held,
                 reserved, overbook, is_open)
            WITH RECURSIVE steps(step) AS (
                SELECT {first_step} UNION ALL SELECT step + 1 FROM steps WHERE step < {last_step}
            )
            SELECT ss.id, NULL,
                   datetime('{EPOCH}', '+' || (step * 30) || ' minutes'),
                   datetime('{EPOCH}', '+' || (step * 30 + 30) || ' minutes'),
                   {SEATS_PER_SLOT}, 0, 0, 0, 0, 1
              FROM steps CROSS JOIN catalog_siteservice ss
             ORDER BY step, ss.id
        """
        bookings_sql = f"""
            INSERT INTO booking_booking
                (created_at, updated_at, code, status, cancelled_at, cancel_reason,
                 citizen_id, service_id, site_id, slot_id)
            WITH RECURSIVE seat(i) AS (
                SELECT 0 UNION ALL SELECT i + 1 FROM seat WHERE i < {SEATS_PER_SLOT - 1}
            )
            SELECT datetime(s.start, '-7 days'), s.start,
                   'g' || substr('00000000' || ({code_number}), -8, 8),
                   {status},
                   CASE WHEN ({code_number}) % 10 IN (7, 8)
                        THEN datetime(s.start, '-1 day') END,
                   '',
                   {citizen}, ss.service_id, ss.site_id, s.id
              FROM booking_slot s
              JOIN catalog_siteservice ss ON ss.id = s.site_service_id
             CROSS JOIN seat
             WHERE s.id > {{low}} AND s.id <= {{high}}
               AND (s.id - {{first}}) * {SEATS_PER_SLOT} + seat.i < {missing}
        """
    _in_transaction(connection, slots_sql)
    # The new slots have consecutive ids from here (PostgreSQL's sequence may
    # have skipped values that a rolled-back insert drew).
    first_new = int(
        db.scalar(connection, target, f"SELECT min(id) FROM booking_slot WHERE id > {last_slot}")
    )
    before_new = first_new - 1
    final_slot = before_new + -(-missing // SEATS_PER_SLOT)
    if target.vendor == "postgresql" and parallel > 1:
        # One chunk of slots per connection, side by side: the insert is
        # CPU-bound (ten indexes), and PostgreSQL runs each session on a core.
        bounds = [
            before_new + (final_slot - before_new) * part // parallel
            for part in range(parallel + 1)
        ]
        with ThreadPoolExecutor(parallel) as pool:
            list(
                pool.map(
                    lambda pair: _insert_chunk(
                        target,
                        bookings_sql.replace("{first}", str(first_new)),
                        *pair,
                        limit_ms=limit_ms,
                    ),
                    itertools.pairwise(bounds),
                )
            )
    else:
        _in_transaction(
            connection, bookings_sql.format(low=before_new, high=final_slot, first=first_new)
        )
    generated = time.perf_counter() - started
    if target.vendor == "postgresql":
        connection.execute("RESET session_replication_role")
        # What autovacuum would do soon anyway, done now rather than during a phase;
        # and the checkpoint the generated WAL (gigabytes at 10 million) has
        # started, finished now: spread over the next phase, its writes showed
        # as that phase's p99 (395 ms against 184 in one run, 1.02 in another).
        connection.execute("VACUUM (ANALYZE) booking_booking, booking_slot")
        connection.execute("CHECKPOINT")
    total = db.count_bookings(connection, target)
    return {
        "added": total - current,
        "bookings": total,
        "generate_s": round(generated, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _insert_chunk(target: db.Target, statement: str, low: int, high: int, *, limit_ms: int) -> None:
    connection = db.connect(target)
    try:
        connection.execute(f"SET statement_timeout = {limit_ms}")
        connection.execute("SET synchronous_commit = off")
        connection.execute("SET session_replication_role = replica")
        _in_transaction(connection, statement.format(low=low, high=high))
    finally:
        connection.close()


def _in_transaction(connection: Any, statement: str) -> None:
    connection.execute("BEGIN")
    try:
        connection.execute(statement)
    except BaseException:
        # SQLite has already rolled back an interrupted statement's transaction.
        if getattr(connection, "in_transaction", True):
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
