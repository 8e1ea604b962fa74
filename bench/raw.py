"""``python -m bench.raw SPEC.json RESULT.json``: the booking's two statements
(``bench.sql``) from N Python processes, without HTTP or Django.

Each process holds one connection (as one server thread would), and loops:
begin (IMMEDIATE on SQLite, as antre's settings do), the guarded UPDATE on a
random slot of the current day that it does not know to be full, the INSERT
if a seat was taken, commit. Citizens are dealt out round robin; once a
process has used its share it books them again for the next service in the
list (the one-active-booking-per-service index must hold), so the pool never
runs dry. Bounded by the duration and a transaction count.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import random
import sys
import time
from pathlib import Path
from typing import Any

from bench import db, sql
from bench.loadgen import percentiles

_BASE32 = "0123456789abcdefghjkmnpqrstvwxyz"
MAX_TRANSACTIONS = 5_000_000


def _code(process: int, number: int) -> str:
    digits = []
    for _ in range(6):
        number, digit = divmod(number, 32)
        digits.append(_BASE32[digit])
    return f"r{_BASE32[process // 32]}{_BASE32[process % 32]}" + "".join(reversed(digits))


def worker(index: int, spec: dict[str, Any], results: Any, ready: Any) -> None:
    given = spec["target"]
    target = db.Target(**{**given, "path": Path(given["path"]) if given["path"] else None})
    connection = db.connect(target, autocommit=target.vendor == "sqlite")
    update = sql.guarded_update(target.placeholder)
    insert = sql.insert_booking(target.placeholder)
    begin = "BEGIN IMMEDIATE" if target.vendor == "sqlite" else None
    citizens = spec["citizens"][index :: spec["processes"]]
    services = spec["services"]
    days = spec["days"]
    day, open_slots = 0, list(days[0])
    # Start together once every process holds its connection (connecting can
    # take seconds on a busy server).
    ready.wait(timeout=60)
    start_at = time.time()
    measure_from = start_at + spec["warmup"]
    measure_until = measure_from + spec["duration"]
    latencies: list[float] = []
    booked = full = errors = measured = 0
    first_error = ""
    number = 0
    while number < MAX_TRANSACTIONS:
        now = time.time()
        if now >= measure_until:
            break
        while not open_slots and day + 1 < len(days):
            day += 1
            open_slots = list(days[day])
        if not open_slots:
            break
        slot = random.choice(open_slots)
        wrap, position = divmod(number, len(citizens))
        citizen = citizens[position]
        service = services[wrap % len(services)]
        started = time.perf_counter()
        try:
            cursor = connection.cursor()
            if begin:
                cursor.execute(begin)
            cursor.execute(update, (slot,))
            taken = cursor.rowcount == 1
            if taken:
                moment = target.ts(dt.datetime.now(dt.UTC))
                cursor.execute(
                    insert,
                    sql.booking_values(
                        now=moment,
                        code=_code(index, number),
                        citizen_id=citizen,
                        service_id=service,
                        site_id=spec["site_id"],
                        slot_id=slot,
                    ),
                )
            if begin:
                cursor.execute("COMMIT")
            else:
                connection.commit()
        except Exception as error:
            errors += 1
            first_error = first_error or repr(error)
            if begin:
                connection.execute("ROLLBACK")
            else:
                connection.rollback()
            number += 1
            continue
        ended = time.perf_counter()
        number += 1
        if not taken:
            full += 1
            if slot in open_slots:
                open_slots.remove(slot)
        if measure_from <= now:
            measured += 1
            latencies.append((ended - started) * 1000)
            if taken:
                booked += 1
    connection.close()
    results.put(
        {
            "process": index,
            "booked": booked,
            "measured": measured,
            "full": full,
            "errors": errors,
            "first_error": first_error,
            "latencies": latencies,
            "window": max(min(time.time(), measure_until) - measure_from, 1e-6),
        }
    )


def run(spec: dict[str, Any]) -> dict[str, Any]:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    ready = context.Barrier(spec["processes"])
    processes = [
        context.Process(target=worker, args=(index, spec, results, ready), daemon=True)
        for index in range(spec["processes"])
    ]
    for process in processes:
        process.start()
    collected = []
    limit = time.time() + 60 + spec["warmup"] + spec["duration"] + 30
    while len(collected) < len(processes) and time.time() < limit:
        try:
            collected.append(results.get(timeout=1))
        except Exception:  # queue.Empty
            if not any(process.is_alive() for process in processes) and results.empty():
                break
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()
    window = max((entry["window"] for entry in collected), default=1e-6)
    booked = sum(entry["booked"] for entry in collected)
    latencies = sorted(value for entry in collected for value in entry["latencies"])
    return {
        "processes": spec["processes"],
        "window_s": round(window, 3),
        "booked": booked,
        "transactions": sum(entry["measured"] for entry in collected),
        "bookings_per_s": round(sum(entry["booked"] / entry["window"] for entry in collected), 1),
        "slot_full": sum(entry["full"] for entry in collected),
        "errors": sum(entry["errors"] for entry in collected),
        "first_errors": sorted({entry["first_error"] for entry in collected} - {""}),
        "processes_reported": len(collected),
        **percentiles(latencies),
    }


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    result = run(spec)
    Path(argv[1]).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
