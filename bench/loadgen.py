"""``python -m bench.loadgen SPEC.json RESULT.json``: one load phase from its own
process, an asyncio aiohttp client with N concurrent clients on 127.0.0.1.

Kinds of phase (``spec["kind"]``):

* ``rush``: every client books a seat for the next citizen of the pool on a
  random slot of the current day that it does not yet know to be full; on
  409 ``slot_full`` the slot is struck off and the same citizen tries another;
  when the day has no open slot left the crowd moves on to the next day.
  Targets antre (``POST /api/v1/bookings`` with the citizen's bearer token)
  or the bare view (``POST /bare/bookings`` with the citizen's id).
* ``sellout``: the same on one day only, each citizen trying once, until
  every slot of the day answered ``slot_full`` (or the citizens run out).
* ``get``: GETs of a list of paths (with an optional bearer token each).
* ``onsite``: kiosk clients issue walk-in tickets while one client per
  counter calls the next ticket and finishes it, over and over.

Every phase is bounded by its duration (plus a warm-up whose requests are
sent but not measured), by a request count and by the pool it draws from.
The result holds throughput, latency percentiles, answers by status and
problem code, and the 5xx count.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

HARD_REQUEST_CAP = 2_000_000


@dataclass
class Stats:
    """What one phase saw. Only requests *started* after the warm-up count
    towards throughput and latencies; every answer counts towards statuses."""

    measure_from: float
    measure_until: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    answers: Counter[str] = field(default_factory=Counter)
    measured_ok: Counter[str] = field(default_factory=Counter)
    measured_requests: int = 0
    requests: int = 0
    http_5xx: int = 0
    errors: int = 0
    last_measured_end: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def record(
        self, op: str, started: float, ended: float, status: int, code: str, ok: bool
    ) -> None:
        self.requests += 1
        label = f"{status} {code}".strip() if status else f"error {code}"
        self.answers[f"{op}: {label}"] += 1
        if status >= 500:
            self.http_5xx += 1
        if status == 0:
            self.errors += 1
        if self.measure_from <= started < self.measure_until:
            self.measured_requests += 1
            self.latencies.setdefault(op, []).append((ended - started) * 1000)
            self.last_measured_end = max(self.last_measured_end, ended)
            if ok:
                self.measured_ok[op] += 1

    def summary(self, *, stopped_early: str | None) -> dict[str, Any]:
        window_end = self.measure_until
        if stopped_early and self.last_measured_end:
            window_end = min(window_end, self.last_measured_end)
        window = max(window_end - self.measure_from, 1e-6)
        everything = sorted(value for values in self.latencies.values() for value in values)
        result: dict[str, Any] = {
            "window_s": round(window, 3),
            "requests": self.requests,
            "measured_requests": self.measured_requests,
            "requests_per_s": round(self.measured_requests / window, 1),
            "ok_per_s": {op: round(count / window, 1) for op, count in self.measured_ok.items()},
            "http_5xx": self.http_5xx,
            "connection_errors": self.errors,
            "answers": dict(sorted(self.answers.items())),
            "stopped_early": stopped_early,
            **percentiles(everything),
            "by_operation": {
                op: {"count": len(values), **percentiles(sorted(values))}
                for op, values in sorted(self.latencies.items())
            },
        }
        return result


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}

    def at(fraction: float) -> float:
        index = min(len(values) - 1, max(0, round(fraction * len(values)) - 1))
        return round(values[index], 2)

    return {
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(values[-1], 2),
    }


async def send(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[int, str, Any, float, float]:
    """(status, problem code, parsed body or None, started, ended); status 0
    for a connection error or timeout."""
    started = time.perf_counter()
    try:
        async with session.request(method, url, json=payload, headers=headers) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as error:
        return 0, type(error).__name__, None, started, time.perf_counter()
    ended = time.perf_counter()
    body: Any = None
    code = ""
    if raw:
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
    if status >= 400 and isinstance(body, dict):
        code = str(body.get("code", ""))
    return status, code, body, started, ended


class SlotPicker:
    """The crowd's shared knowledge of which slots are still open: a current
    day, its slots not yet seen full, and the days after it."""

    def __init__(self, days: list[list[int]]) -> None:
        self.days = days
        self.day = 0
        self.open = list(days[0]) if days else []
        self.full_days: list[float] = []

    def pick(self) -> int | None:
        while not self.open:
            if self.day + 1 >= len(self.days):
                return None
            self.day += 1
            self.open = list(self.days[self.day])
        return random.choice(self.open)

    def mark_full(self, slot: int) -> None:
        if slot in self.open:
            self.open.remove(slot)
            if not self.open:
                self.full_days.append(time.perf_counter())


class Pool:
    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.next = 0

    def take(self) -> Any | None:
        if self.next >= len(self.items):
            return None
        item = self.items[self.next]
        self.next += 1
        return item


async def run_rush(
    spec: dict[str, Any], session: aiohttp.ClientSession, stats: Stats
) -> str | None:
    base = spec["base_url"]
    bare = spec["target"] == "bare"
    url = f"{base}/bare/bookings" if bare else f"{base}/api/v1/bookings"
    picker = SlotPicker(spec["days"])
    citizens = Pool(spec["citizens"])
    retry_on_full = spec["kind"] == "rush"
    deadline = stats.measure_until
    max_requests = min(int(spec.get("max_requests", HARD_REQUEST_CAP)), HARD_REQUEST_CAP)
    stop: list[str] = []
    sold: list[float] = []

    async def client() -> None:
        while not stop:
            citizen = citizens.take()
            if citizen is None:
                stop.append("citizens exhausted")
                return
            citizen_id, token = citizen
            while not stop:
                if time.perf_counter() >= deadline:
                    stop.append("duration")
                    return
                if stats.requests >= max_requests:
                    stop.append("request cap")
                    return
                slot = picker.pick()
                if slot is None:
                    stop.append("all days full")
                    return
                if bare:
                    payload = {
                        "slot_id": slot,
                        "citizen_id": citizen_id,
                        "site_id": spec["site_id"],
                        "service_id": spec["service_id"],
                    }
                    headers = None
                else:
                    payload = {"slot_id": slot}
                    headers = {"Authorization": f"Bearer {token}"}
                    if spec.get("idempotency_keys", True):
                        headers["Idempotency-Key"] = uuid.uuid4().hex
                status, code, _body, started, ended = await send(
                    session, "POST", url, headers=headers, payload=payload
                )
                ok = status == 201
                stats.record("book", started, ended, status, code, ok)
                if ok:
                    sold.append(ended)
                    break
                if status == 409 and code == "slot_full":
                    picker.mark_full(slot)
                    if retry_on_full:
                        continue
                break

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(spec["clients"])))
    stats.extra = {
        "booked": len(sold),
        "days_used": picker.day + 1,
        "days_available": len(picker.days),
        "citizens_used": citizens.next,
    }
    if spec["kind"] == "sellout":
        stats.extra["time_to_sellout_s"] = round(max(sold) - started, 3) if sold else None
        stats.extra["sold_out"] = stop[:1] == ["all days full"]
    reason = stop[0] if stop else None
    return None if reason == "duration" else reason


async def run_get(spec: dict[str, Any], session: aiohttp.ClientSession, stats: Stats) -> str | None:
    base = spec["base_url"]
    targets = [(entry, None) if isinstance(entry, str) else tuple(entry) for entry in spec["paths"]]
    deadline = stats.measure_until
    max_requests = min(int(spec.get("max_requests", HARD_REQUEST_CAP)), HARD_REQUEST_CAP)

    async def client() -> None:
        while time.perf_counter() < deadline and stats.requests < max_requests:
            path, token = random.choice(targets)
            headers = {"Authorization": f"Bearer {token}"} if token else None
            status, code, _body, started, ended = await send(
                session, "GET", base + path, headers=headers
            )
            stats.record("get", started, ended, status, code, status == 200)

    await asyncio.gather(*(client() for _ in range(spec["clients"])))
    return None


async def run_onsite(
    spec: dict[str, Any], session: aiohttp.ClientSession, stats: Stats
) -> str | None:
    base = spec["base_url"]
    deadline = stats.measure_until
    max_requests = min(int(spec.get("max_requests", HARD_REQUEST_CAP)), HARD_REQUEST_CAP)
    called: Counter[int] = Counter()
    kiosks = spec["kiosks"]

    async def kiosk(index: int) -> None:
        device = kiosks[index % len(kiosks)]
        headers = {"Authorization": f"Bearer {device['token']}"}
        url = f"{base}/api/v1/sites/{device['site']}/tickets"
        while time.perf_counter() < deadline and stats.requests < max_requests:
            if spec.get("idempotency_keys", True):
                headers["Idempotency-Key"] = uuid.uuid4().hex
            payload = {"service": random.choice(device["services"])}
            status, code, _body, started, ended = await send(
                session, "POST", url, headers=headers, payload=payload
            )
            stats.record("walk_in", started, ended, status, code, status == 201)

    async def counter(desk: dict[str, Any]) -> None:
        headers = {"Authorization": f"Bearer {desk['token']}"}
        call_url = f"{base}/api/v1/counters/{desk['id']}/call-next"
        while time.perf_counter() < deadline and stats.requests < max_requests:
            status, code, body, started, ended = await send(
                session, "POST", call_url, headers=headers
            )
            stats.record("call_next", started, ended, status, code, status == 200)
            if status == 200 and isinstance(body, dict):
                called[int(body["id"])] += 1
                status, code, _body, started, ended = await send(
                    session, "POST", f"{base}/api/v1/tickets/{body['id']}/finish", headers=headers
                )
                stats.record("finish", started, ended, status, code, status == 200)
            elif status == 409 and code == "counter_busy":
                # A ticket left at the counter (a finish that failed): finish it.
                status, code, body, started, ended = await send(
                    session, "GET", f"{base}/api/v1/counters/{desk['id']}", headers=headers
                )
                current = body.get("current") if isinstance(body, dict) else None
                if current:
                    status, code, _body, started, ended = await send(
                        session,
                        "POST",
                        f"{base}/api/v1/tickets/{current['id']}/finish",
                        headers=headers,
                    )
                    stats.record("finish", started, ended, status, code, status == 200)
                else:
                    await asyncio.sleep(0.05)
            else:
                # Nobody waits (204), or the server failed:
                # an officer would look again in a moment.
                await asyncio.sleep(0.05)

    await asyncio.gather(
        *(kiosk(index) for index in range(spec["kiosk_clients"])),
        *(counter(desk) for desk in spec["counters"]),
    )
    stats.extra = {
        "tickets_called": len(called),
        "duplicate_calls": sum(1 for count in called.values() if count > 1),
        "kiosk_clients": spec["kiosk_clients"],
        "counter_clients": len(spec["counters"]),
    }
    return None


RUNNERS = {"rush": run_rush, "sellout": run_rush, "get": run_get, "onsite": run_onsite}


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    clients = int(spec["clients"]) + len(spec.get("counters", []))
    connector = aiohttp.TCPConnector(limit=clients, limit_per_host=clients, ttl_dns_cache=None)
    timeout = aiohttp.ClientTimeout(total=float(spec.get("request_timeout", 30)))
    now = time.perf_counter()
    warmup = float(spec.get("warmup", 0))
    stats = Stats(measure_from=now + warmup, measure_until=now + warmup + float(spec["duration"]))
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        stopped_early = await RUNNERS[spec["kind"]](spec, session, stats)
    result = stats.summary(stopped_early=stopped_early)
    result.update(stats.extra)
    result.update({"kind": spec["kind"], "clients": spec["clients"], "target": spec.get("target")})
    return result


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    result = asyncio.run(run(spec))
    Path(argv[1]).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
