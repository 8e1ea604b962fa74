"""``python -m bench.hotpath PLAN.json OUT.json [--explain] [--profile N PROFILE.txt]``:
antre's hot endpoints in-process, under antre's own settings.

``--explain`` sends one booking (``POST /api/v1/bookings`` with an
Idempotency-Key, as the load client does) and the two availability reads
through Django's test client, records every statement they run, and saves
each one's plan (PostgreSQL ``EXPLAIN``, SQLite ``EXPLAIN QUERY PLAN``),
flagging sequential scans of the bookings table.

``--profile N FILE`` times N bookings in-process without and then with
pyinstrument, times the bare statements the same way for comparison, and
writes the profile as text to FILE.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

SKIP = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET)\b", re.IGNORECASE)


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text())
    out = Path(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    result: dict[str, Any] = {}
    # The end of the pool, which the load phases are not given (bench.run):
    # the first for the plans, then the profile's.
    citizens = list(reversed(plan["citizens"]))
    if "--explain" in argv:
        result["explain"] = explain(plan, citizens[0])
    if "--profile" in argv:
        index = argv.index("--profile")
        count, text_path = int(argv[index + 1]), Path(argv[index + 2])
        result["profile"] = profile(plan, citizens[1:], count, text_path)
    out.write_text(json.dumps(result, indent=1, default=str))
    return 0


def client() -> Any:
    from django.test import Client

    return Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)


class Recorder:
    """A database execute wrapper that keeps every statement and its parameters."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def book(http: Any, token: str, slot: int) -> Any:
    return http.post(
        "/api/v1/bookings",
        data=json.dumps({"slot_id": slot}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )


def recorded(action: Any) -> tuple[Any, list[tuple[str, Any]]]:
    from django.db import connection

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        response = action()
    return response, recorder.statements


def explain(plan: dict[str, Any], citizen: list[Any]) -> dict[str, Any]:
    http = client()
    slot = plan["rush"]["days"][0][1][0]
    reads = plan["reads"]
    requests = {
        "POST /api/v1/bookings": lambda: book(http, citizen[1], slot),
        "GET availability 1 day": lambda: http.get(reads["availability_1d"][0]),
        "GET availability 31 days": lambda: http.get(reads["availability_31d"][0]),
    }
    report: dict[str, Any] = {}
    for name, action in requests.items():
        response, statements = recorded(action)
        plans = [plan_of(sql, params) for sql, params in statements if not SKIP.match(sql)]
        report[name] = {
            "status": response.status_code,
            "queries": len(statements),
            "statements": plans,
            "booking_seq_scans": sum(1 for entry in plans if entry["booking_seq_scan"]),
            "seq_scans": sorted({scan for entry in plans for scan in entry["seq_scans"]}),
        }
    return report


def plan_of(sql: str, params: Any) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
            scans = [
                match.group(1) for line in lines if (match := re.search(r"Seq Scan on (\w+)", line))
            ]
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            lines = [row[-1] for row in cursor.fetchall()]
            aliases = dict(re.findall(r'"(\w+)" (U\d+|T\d+|V\d+)\b', sql))
            names = {alias: table for table, alias in aliases.items()}
            scans = [
                names.get(match.group(1), match.group(1))
                for line in lines
                if (match := re.match(r"SCAN (\w+)", line))
            ]
    return {
        "sql": sql if len(sql) < 1500 else sql[:1500] + " ...",
        "plan": lines,
        "seq_scans": scans,
        "booking_seq_scan": "booking_booking" in scans,
    }


def profile(
    plan: dict[str, Any], citizens: list[list[Any]], count: int, text_path: Path
) -> dict[str, Any]:
    from django.db import connection, transaction
    from pyinstrument import Profiler

    from bench import sql

    http = client()
    slots = [slot for _day, day_slots in plan["rush"]["days"] for slot in day_slots]
    timed, profiled = citizens[:count], citizens[count : 2 * count]
    statuses: dict[str, int] = {}

    def run(batch: list[list[Any]]) -> tuple[float, float]:
        """Wall and CPU seconds per booking (CPU time is what a busy machine
        distorts least)."""
        started, cpu_started = time.perf_counter(), time.process_time()
        for _citizen_id, token in batch:
            response = book(http, token, random.choice(slots))
            statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        count = max(len(batch), 1)
        return (time.perf_counter() - started) / count, (time.process_time() - cpu_started) / count

    run(timed[:10])  # warm caches and the connection
    per_booking, cpu_booking = run(timed[10:])
    _response, statements = recorded(
        lambda: book(http, citizens[2 * count][1], random.choice(slots))
    )
    profiler = Profiler(interval=0.0005)
    cpu_started = time.process_time()
    profiler.start()
    run(profiled)
    profiler.stop()
    cpu_per_booking = (time.process_time() - cpu_started) / max(len(profiled), 1)
    flat = flat_profile(profiler.last_session.root_frame())
    text_path.write_text(
        profiler.output_text(unicode=True, color=False, show_all=False)
        + "\n\nSelf time by library\n"
        + "\n".join(f"{share:6.1%}  {name}" for name, share in flat["by_library"].items())
        + "\n\nantre (and transaction) functions, cumulative ms per booking\n"
        + "\n".join(
            f"{seconds * 1000 / max(len(profiled), 1):8.2f}  {name}"
            for name, seconds in flat["cumulative_seconds"].items()
        )
        + "\n\nSelf time by function (top 40)\n"
        + "\n".join(f"{share:6.1%}  {name}" for name, share in flat["by_function"].items())
        + "\n"
    )

    hot = plan["hot"]
    vendor_now: Any
    started, cpu_started = time.perf_counter(), time.process_time()
    bare_count = max(len(timed) - 10, 1)
    for citizen_id, _token in timed[10:]:
        vendor_now = sql.sqlite_timestamp(_utcnow()) if connection.vendor == "sqlite" else _utcnow()
        slot = random.choice(slots)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql.guarded_update("%s"), [slot])
            if cursor.rowcount == 1:
                cursor.execute(
                    sql.insert_booking("%s"),
                    sql.booking_values(
                        now=vendor_now,
                        code=sql.random_code("p"),
                        citizen_id=citizen_id,
                        service_id=plan["services"][-1],
                        site_id=hot["site"],
                        slot_id=slot,
                    ),
                )
    bare_per_booking = (time.perf_counter() - started) / bare_count
    bare_cpu = (time.process_time() - cpu_started) / bare_count
    reads = read_timings(plan, http, count)
    announced = announce_timings()
    return {
        "requests": len(timed) - 10 + len(profiled),
        "statuses": statuses,
        "ms_per_booking_in_process": round(per_booking * 1000, 3),
        "cpu_ms_per_booking_in_process": round(cpu_booking * 1000, 3),
        "cpu_ms_per_bare_statements_in_process": round(bare_cpu * 1000, 3),
        "cpu_ratio_antre_booking_over_bare_statements": round(cpu_booking / max(bare_cpu, 1e-9), 1),
        **reads,
        **announced,
        "cpu_ms_per_booking_profiled": round(cpu_per_booking * 1000, 3),
        "self_time_by_library": {
            name: round(share, 3) for name, share in flat["by_library"].items()
        },
        "antre_cumulative_ms_per_booking": {
            name: round(seconds * 1000 / max(len(profiled), 1), 2)
            for name, seconds in list(flat["cumulative_seconds"].items())[:25]
        },
        "self_time_top_functions": {
            name: round(share, 3) for name, share in list(flat["by_function"].items())[:15]
        },
        "ms_per_bare_statements_in_process": round(bare_per_booking * 1000, 3),
        "queries_per_booking": len(statements),
        "booking_statements": [statement[:300] for statement, _params in statements],
        "profile_file": text_path.name,
    }


def announce_timings() -> dict[str, Any]:
    """What the worker does after the bookings of the run (their audit rows,
    confirmation e-mails and waiting-list follow-up; antre.booking.announce;
    the bench runs no worker beside the server), timed the same way: CPU ms
    per booking announced, up to 5,000 of them."""
    from antre.booking.announce import announce_pending
    from antre.booking.models import Booking

    waiting = Booking.objects.filter(announce_pending=True).count()
    started, cpu_started = time.perf_counter(), time.process_time()
    announced = 0
    while announced < 5_000 and (done := announce_pending()):  # bounded in time
        announced += done
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "announce_mode": "worker" if waiting else "inline",
        "announced": announced,
        "cpu_ms_per_announcement_in_process": round(cpu * 1000 / max(announced, 1), 3),
        "announcements_per_s_in_process": (
            round(announced / wall, 1) if wall and announced else None
        ),
    }


def read_timings(plan: dict[str, Any], http: Any, count: int) -> dict[str, float]:
    """CPU ms per availability GET (1 day) in-process, and per the bare view's
    slot query with its JSON (what bench/bare does for it, without HTTP)."""
    from django.db import connection

    from bench import sql

    url = plan["reads"]["availability_1d"][0]
    for _ in range(10):
        http.get(url)
    started = time.process_time()
    for _ in range(count):
        http.get(url)
    antre_cpu = (time.process_time() - started) / max(count, 1)
    first_day = plan["rush"]["days"][0][0]
    import datetime as dt
    import zoneinfo

    zone = zoneinfo.ZoneInfo("Asia/Jakarta")
    day = dt.date.fromisoformat(first_day)
    low = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    high = low + dt.timedelta(days=1)
    bounds: list[Any] = (
        [sql.sqlite_timestamp(low), sql.sqlite_timestamp(high)]
        if connection.vendor == "sqlite"
        else [low, high]
    )
    started = time.process_time()
    for _ in range(count):
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT id, start, "end", capacity, booked FROM booking_slot '
                "WHERE site_service_id = %s AND is_open AND start >= %s AND start < %s "
                "ORDER BY start",
                [plan["hot"]["site_service"], *bounds],
            )
            json.dumps([[str(value) for value in row] for row in cursor.fetchall()])
    bare_cpu = (time.process_time() - started) / max(count, 1)
    return {
        "cpu_ms_per_availability_1d_in_process": round(antre_cpu * 1000, 3),
        "cpu_ms_per_bare_slot_query_in_process": round(bare_cpu * 1000, 3),
    }


LIBRARIES = (
    ("django/db/backends", "django.db.backends (driver wrappers)"),
    ("django/db/models/sql", "django ORM: SQL compiler"),
    ("django/db/models", "django ORM: models and querysets"),
    ("django/db", "django.db (other)"),
    ("django/core/handlers", "django request handling"),
    ("django/", "django (other)"),
    ("ninja/", "django-ninja"),
    ("pydantic", "pydantic"),
    ("structlog", "structlog / django-structlog"),
    ("prometheus_client", "prometheus-client"),
    ("django_tasks_db", "django-tasks-db"),
    ("whitenoise", "whitenoise"),
    ("psycopg", "psycopg"),
    ("sqlite3", "sqlite3"),
    ("/antre/", "antre"),
    ("/bench/", "bench harness"),
    ("python3.13/logging", "stdlib logging"),
    ("python3.13/json", "stdlib json"),
    ("python3.13/inspect", "stdlib inspect"),
    ("python3.13/", "stdlib (other)"),
)


def flat_profile(root: Any) -> dict[str, dict[str, float]]:
    """Self time of a pyinstrument frame tree by library and by function, as
    shares of the total (a flat view of where the time goes)."""
    libraries: dict[str, float] = {}
    functions: dict[str, float] = {}

    def walk(frame: Any) -> None:
        if not frame.children:
            owner = frame.parent if frame.is_synthetic_leaf and frame.parent else frame
            while owner.parent is not None and not (owner.file_path or "").startswith("/"):
                owner = owner.parent  # a built-in: count it where it was called
            path = owner.file_path or ""
            library = next((label for key, label in LIBRARIES if key in path), "other")
            libraries[library] = libraries.get(library, 0.0) + frame.time
            short = path.split("site-packages/")[-1].split("/work/main/")[-1]
            name = f"{owner.function} ({short}:{owner.line_no})"
            functions[name] = functions.get(name, 0.0) + frame.time
        for child in frame.children:
            walk(child)

    cumulative: dict[str, float] = {}

    def walk_cumulative(frame: Any, above: frozenset[str]) -> None:
        path = frame.file_path or ""
        key = ""
        if "/antre/" in path or "django/db/transaction" in path:
            short = path.split("/work/main/")[-1].split("site-packages/")[-1]
            name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
            key = f"{name} ({short})"
            if key not in above:
                cumulative[key] = cumulative.get(key, 0.0) + frame.time
        for child in frame.children:
            walk_cumulative(child, above | {key} if key else above)

    walk(root)
    walk_cumulative(root, frozenset())
    total = sum(libraries.values()) or 1.0
    return {
        "cumulative_seconds": dict(sorted(cumulative.items(), key=lambda item: -item[1])[:40]),
        "by_library": {
            name: value / total
            for name, value in sorted(libraries.items(), key=lambda item: -item[1])
        },
        "by_function": {
            name: value / total
            for name, value in sorted(functions.items(), key=lambda item: -item[1])[:40]
        },
    }


def _utcnow() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
