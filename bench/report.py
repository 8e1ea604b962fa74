"""The results of a run: the JSON figures, the targets, the summary table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench import config

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
README_START = "<!-- bench-results:start -->"
README_END = "<!-- bench-results:end -->"


def one_line(result: dict[str, Any]) -> str:
    ok = ", ".join(f"{op} {rate}/s" for op, rate in result.get("ok_per_s", {}).items())
    extra = f", stopped: {result['stopped_early']}" if result.get("stopped_early") else ""
    return (
        f"{ok or 'no successes'}; p50 {result.get('p50_ms')} p99 {result.get('p99_ms')} ms; "
        f"5xx {result.get('http_5xx')}{extra}"
    )


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def _rate(result: dict[str, Any] | None, op: str) -> float | None:
    if not result:
        return None
    value = result.get("ok_per_s", {}).get(op)
    return float(value) if value is not None else 0.0


def _checks_of(vendor_details: dict[str, Any]) -> dict[str, Any]:
    return vendor_details.get("checks", {})


def booking_rush(out: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    antre = out.get("antre", {}).get("rush", {})
    bare = out.get("bare", {}).get("rush", {})
    levels: dict[str, Any] = {}
    for clients in sorted(set(antre) | set(bare), key=int):
        mine, floor = antre.get(clients), bare.get(clients)
        levels[clients] = {
            "antre_rps": _rate(mine, "book"),
            "bare_rps": _rate(floor, "book"),
            "antre_over_bare": ratio(_rate(mine, "book"), _rate(floor, "book")),
            "antre_p50_ms": mine and mine["p50_ms"],
            "antre_p95_ms": mine and mine["p95_ms"],
            "antre_p99_ms": mine and mine["p99_ms"],
            "bare_p50_ms": floor and floor["p50_ms"],
            "bare_p99_ms": floor and floor["p99_ms"],
            "antre_answers": mine and mine["answers"],
            "bare_answers": floor and floor["answers"],
            "antre_stopped_early": mine and mine["stopped_early"],
            "bare_stopped_early": floor and floor["stopped_early"],
            "antre_http_5xx": mine and mine["http_5xx"],
            "bare_http_5xx": floor and floor["http_5xx"],
        }
    measured = [(clients, level) for clients, level in levels.items() if level["antre_rps"]]
    best_clients, best = (
        max(measured, key=lambda item: item[1]["antre_rps"]) if measured else (None, {})
    )
    bare_rps = max((level["bare_rps"] or 0 for level in levels.values()), default=0) or None
    raw_rps = out.get("raw", {}).get("bookings_per_s")
    checks = _checks_of(details)
    http_5xx = sum(
        result.get("http_5xx", 0)
        for name, result in details.items()
        if name != "checks" and isinstance(result, dict)
    )
    return {
        "antre_rps": best.get("antre_rps"),
        "bare_rps": bare_rps,
        "raw_rps": raw_rps,
        "clients": int(best_clients) if best_clients else None,
        "p50_ms": best.get("antre_p50_ms"),
        "p95_ms": best.get("antre_p95_ms"),
        "p99_ms": best.get("antre_p99_ms"),
        "oversold": sum(check["oversold"] for check in checks.values()),
        "http_5xx": http_5xx,
        "antre_over_bare": ratio(best.get("antre_rps"), bare_rps),
        "bare_over_raw": ratio(bare_rps, raw_rps),
        "raw": out.get("raw"),
        "levels": levels,
        "notes": (
            "antre_rps/p50/p99 at the client count where antre did best; bare_rps is the "
            "best bare level; oversold sums every write phase on this database (raw, bare, "
            "antre, sell-out, growth); http_5xx sums every HTTP phase on it"
        ),
    }


def sellout(out: dict[str, Any]) -> dict[str, Any] | None:
    result = out.get("antre", {}).get("sellout")
    if not result:
        return None
    check = result["check"]
    sold_out = check["active_bookings"] >= result["seats"]
    return {
        "seats": result["seats"],
        "booked": check["active_bookings"],
        "sold_out": sold_out,
        # Exactly the seats, when it sold out within the time cap; never more.
        "exactly_sold": (
            check["active_bookings"] == result["seats"] == check["booked"]
            if sold_out
            else (None if check["oversold"] == 0 else False)
        ),
        "time_cap_s": result.get("time_cap_s"),
        "time_to_sellout_s": result.get("time_to_sellout_s"),
        "all_slots_seen_full": result.get("sold_out"),
        "requests": result["requests"],
        "citizens_tried": result.get("citizens_used"),
        "clients": result["clients"],
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
        "answers": result["answers"],
        "oversold": check["oversold"],
        "http_5xx": result["http_5xx"],
    }


def reads(out: dict[str, Any]) -> dict[str, Any]:
    antre = out.get("antre", {}).get("reads", {})
    bare = out.get("bare", {})
    figures: dict[str, Any] = {}
    for name, result in [
        *antre.items(),
        ("bare_1d", bare.get("bare_1d")),
        ("bare_31d", bare.get("bare_31d")),
    ]:
        if result:
            figures[name] = {
                "rps": _rate(result, "get"),
                "p50_ms": result["p50_ms"],
                "p99_ms": result["p99_ms"],
                "http_5xx": result["http_5xx"],
                "answers": result["answers"],
            }
    for days in ("1d", "31d", "1d_uncached"):
        mine = figures.get(f"availability_{days}")
        floor = figures.get(f"bare_{days.removesuffix('_uncached')}")
        figures[f"availability_{days}_over_bare"] = ratio(
            mine and mine["rps"], floor and floor["rps"]
        )
    return figures


def onsite(out: dict[str, Any]) -> dict[str, Any] | None:
    result = out.get("antre", {}).get("onsite")
    if not result:
        return None
    rates = result.get("ok_per_s", {})
    return {
        "ops_per_s": round(sum(rates.values()), 1),
        "walk_ins_per_s": rates.get("walk_in", 0.0),
        "calls_per_s": rates.get("call_next", 0.0),
        "finishes_per_s": rates.get("finish", 0.0),
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
        "by_operation": result["by_operation"],
        "kiosk_clients": result.get("kiosk_clients"),
        "counter_clients": result.get("counter_clients"),
        "duplicates": result.get("duplicate_calls", 0) + result["check"]["duplicates"],
        "duplicate_calls_seen_by_clients": result.get("duplicate_calls", 0),
        "database": result["check"],
        "answers": result["answers"],
        "http_5xx": result["http_5xx"],
    }


def growth(out: dict[str, Any], vendor: str) -> dict[str, Any]:
    data = out.get("growth", {})
    sizes: dict[str, Any] = {}
    for size, entry in data.get("sizes", {}).items():
        if "rush" not in entry:
            sizes[size] = entry
            continue
        rush, read = entry["rush"], entry["availability_31d"]
        sizes[size] = {
            # Every booking in the table before the rush: the demo city's
            # history (a few thousand) included.
            "bookings": entry["generate"]["bookings"],
            "generate_s": entry["generate"].get("seconds"),
            "rush_rps": _rate(rush, "book"),
            "rush_p50_ms": rush["p50_ms"],
            "rush_p99_ms": rush["p99_ms"],
            "availability_rps": _rate(read, "get"),
            "availability_p99_ms": read["p99_ms"],
            "oversold": rush["check"]["oversold"],
            "http_5xx": rush["http_5xx"] + read["http_5xx"],
        }
    measured = [size for size, entry in sizes.items() if "rush_p99_ms" in entry]
    figures: dict[str, Any] = {"sizes": sizes}
    if len(measured) >= 2:
        smallest, largest = measured[0], measured[-1]
        figures["p99_ratio"] = ratio(sizes[largest]["rush_p99_ms"], sizes[smallest]["rush_p99_ms"])
        figures["availability_p99_ratio"] = ratio(
            sizes[largest]["availability_p99_ms"], sizes[smallest]["availability_p99_ms"]
        )
        figures["ratio_of"] = (
            f"{sizes[largest]['bookings']:,} ÷ {sizes[smallest]['bookings']:,} existing bookings"
        )
    default_sizes = (10_000, 1_000_000, 10_000_000)
    missing = [size for size in default_sizes if str(size) not in measured]
    if missing:
        figures["not_measured"] = [f"{size:,}" for size in missing]
        if vendor == "sqlite" and 10_000_000 in missing:
            figures["note"] = (
                "10 M bookings are not generated on SQLite by default: generating and "
                "indexing them does not fit the 15-minute budget (BENCH_GROWTH_SIZES_SQLITE "
                "to try)"
            )
    return figures


def plans(out: dict[str, Any]) -> dict[str, Any] | None:
    explain = out.get("explain")
    if not explain:
        return None
    return {
        "at_bookings": out.get("explain_at_bookings"),
        "booking_seq_scans": sum(entry["booking_seq_scans"] for entry in explain.values()),
        "requests": explain,
    }


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []

    def add(name: str, value: Any, wanted: str, passed: bool | None) -> None:
        checks.append({"check": name, "value": value, "target": wanted, "pass": passed})

    for vendor, rush in results["booking_rush"].items():
        label = NAMES[vendor]
        value = rush["antre_over_bare"]
        add(f"{label}: booking ÷ bare", value, ">= 0.5", None if value is None else value >= 0.5)
        add(f"{label}: oversold", rush["oversold"], "0", rush["oversold"] == 0)
        add(f"{label}: HTTP 5xx", rush["http_5xx"], "0", rush["http_5xx"] == 0)
    for vendor, figures in results["reads"].items():
        for key, label in (
            ("availability_1d_over_bare", "availability (1 day) ÷ bare GET"),
            (
                "availability_1d_uncached_over_bare",
                "availability (1 day, answer cache off) ÷ bare GET",
            ),
        ):
            value = figures.get(key)
            add(
                f"{NAMES[vendor]}: {label}",
                value,
                ">= 0.5",
                None if value is None else value >= 0.5,
            )
    for vendor, figures in results["growth"].items():
        value = figures.get("p99_ratio")
        add(
            f"{NAMES[vendor]}: growth p99 ratio ({figures.get('ratio_of', 'n/a')})",
            value,
            "<= 1.5",
            None if value is None else value <= 1.5,
        )
    for vendor, figures in results["onsite"].items():
        if figures:
            add(
                f"{NAMES[vendor]}: on-site duplicates",
                figures["duplicates"],
                "0",
                figures["duplicates"] == 0,
            )
    for vendor, figures in results["sellout"].items():
        if figures:
            add(
                f"{NAMES[vendor]}: sell-out exactly {figures['seats']}"
                + (
                    ""
                    if figures["sold_out"]
                    else f" (not sold out in {figures['time_cap_s']:.0f} s)"
                ),
                figures["booked"],
                str(figures["seats"]),
                figures["exactly_sold"],
            )
    for vendor, figures in results["plans"].items():
        if figures:
            add(
                f"{NAMES[vendor]}: sequential scans of bookings in hot plans",
                figures["booking_seq_scans"],
                "0",
                figures["booking_seq_scans"] == 0,
            )
    return checks


def assemble(
    *,
    cfg: config.Config,
    per_database: dict[str, Any],
    meta: dict[str, Any],
    skipped: list[str],
    errors: list[str],
    details: dict[str, Any],
    timeline: list[dict[str, Any]],
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "meta": meta,
        "booking_rush": {},
        "sellout": {},
        "reads": {},
        "onsite": {},
        "growth": {},
        "plans": {},
        "profile": {},
    }
    for vendor, out in per_database.items():
        results["booking_rush"][vendor] = booking_rush(out, details.get(vendor, {}))
        results["sellout"][vendor] = sellout(out)
        results["reads"][vendor] = reads(out)
        results["onsite"][vendor] = onsite(out)
        results["growth"][vendor] = growth(out, vendor)
        results["plans"][vendor] = plans(out)
        results["profile"][vendor] = out.get("profile")
        if out.get("asgi_probe"):
            results["meta"]["asgi_probe"] = out["asgi_probe"]
        results.setdefault("setup", {})[vendor] = {
            "setup_s": out.get("setup_s"),
            "plan": out.get("plan"),
        }
    results["targets"] = targets(results)
    results["skipped"] = skipped
    results["errors"] = errors
    results["timeline"] = timeline
    results["details"] = details
    return results


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.0f}" if value >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
        return text + suffix
    if isinstance(value, int):
        return f"{value:,}{suffix}"
    return f"{value}{suffix}"


def table(results: dict[str, Any]) -> str:
    meta = results["meta"]
    machine = meta["machine"]
    vendors = list(results["booking_rush"])
    header = "| | " + " | ".join(NAMES[vendor] for vendor in vendors) + " |"
    lines = [
        f"**{meta['date'][:10]}, commit {meta['commit']}"
        f"{' (dirty tree)' if meta['dirty'] else ''}{', QUICK mode' if meta['quick'] else ''}**: "
        f"{machine['cores']} cores ({machine['cpu']}), "
        f"load average at start {machine['load_average_at_start'][0]:.2f}; "
        f"`antre serve --interface {meta['server']['interface']}` "
        f"{meta['server']['workers']} workers × {meta['server']['threads']} threads; "
        f"load generator on the same cores; run took {meta.get('elapsed_s', 0):.0f} s.",
        "",
        header,
        "|---" * (len(vendors) + 1) + "|",
    ]

    def row(label: str, cell: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(vendor) for vendor in vendors) + " |")

    rush = results["booking_rush"]
    row(
        "booking rush, antre bookings/s (clients)",
        lambda v: f"{_fmt(rush[v]['antre_rps'])} ({_fmt(rush[v]['clients'])})",
    )
    row("… bare Django view bookings/s", lambda v: _fmt(rush[v]["bare_rps"]))
    row("… raw SQL from processes bookings/s", lambda v: _fmt(rush[v]["raw_rps"]))
    row(
        "antre ÷ bare · bare ÷ raw",
        lambda v: f"{_fmt(rush[v]['antre_over_bare'])} · {_fmt(rush[v]['bare_over_raw'])}",
    )
    row(
        "antre p50 / p95 / p99 ms",
        lambda v: (
            f"{_fmt(rush[v]['p50_ms'])} / {_fmt(rush[v]['p95_ms'])} / {_fmt(rush[v]['p99_ms'])}"
        ),
    )
    for clients in sorted({c for v in vendors for c in rush[v]["levels"]}, key=int):
        row(
            f"… at {clients} clients: antre / bare bookings/s, antre p99 ms",
            lambda v, c=clients: (
                f"{_fmt(rush[v]['levels'].get(c, {}).get('antre_rps'))} / "
                f"{_fmt(rush[v]['levels'].get(c, {}).get('bare_rps'))}, "
                f"{_fmt(rush[v]['levels'].get(c, {}).get('antre_p99_ms'))}"
            ),
        )
    row("oversold · HTTP 5xx", lambda v: f"{rush[v]['oversold']} · {rush[v]['http_5xx']}")
    sell = results["sellout"]
    row(
        "sell-out: seats booked, time to sell out",
        lambda v: (
            f"{_fmt(sell[v]['booked'])} of {_fmt(sell[v]['seats'])}, "
            + (
                f"{_fmt(sell[v]['time_to_sellout_s'], ' s')}"
                if sell[v]["sold_out"]
                else f"not sold out in {_fmt(sell[v]['time_cap_s'], ' s')}"
            )
            if sell.get(v)
            else "–"
        ),
    )
    reads = results["reads"]
    for name, floor, label in (
        ("1d", "1d", "availability 1 day: antre / bare req/s"),
        ("1d_uncached", "1d", "availability 1 day, answer cache off: antre / bare req/s"),
        ("31d", "31d", "availability 31 days: antre / bare req/s"),
    ):
        row(
            label,
            lambda v, n=name, b=floor: (
                f"{_fmt((reads[v].get(f'availability_{n}') or {}).get('rps'))} / "
                f"{_fmt((reads[v].get(f'bare_{b}') or {}).get('rps'))} "
                f"(÷ {_fmt(reads[v].get(f'availability_{n}_over_bare'))})"
            ),
        )
    row(
        "directory · board req/s",
        lambda v: (
            f"{_fmt((reads[v].get('directory') or {}).get('rps'))} · "
            f"{_fmt((reads[v].get('board') or {}).get('rps'))}"
        ),
    )
    site = results["onsite"]
    row(
        "on site ops/s (walk-in + call + finish), p99 ms, duplicates",
        lambda v: (
            f"{_fmt(site[v]['ops_per_s'])} ({_fmt(site[v]['walk_ins_per_s'])} + "
            f"{_fmt(site[v]['calls_per_s'])} + {_fmt(site[v]['finishes_per_s'])}), "
            f"{_fmt(site[v]['p99_ms'])}, {site[v]['duplicates']}"
            if site.get(v)
            else "–"
        ),
    )
    grow = results["growth"]
    row(
        "growth: rush p99 ms by existing bookings",
        lambda v: (
            ", ".join(
                f"{_short(str(entry['bookings']))}: {_fmt(entry.get('rush_p99_ms'))}"
                for size, entry in grow[v]["sizes"].items()
                if "rush_p99_ms" in entry
            )
            or "–"
        ),
    )
    row(
        "growth: availability p99 ms",
        lambda v: (
            ", ".join(
                f"{_short(str(entry['bookings']))}: {_fmt(entry.get('availability_p99_ms'))}"
                for size, entry in grow[v]["sizes"].items()
                if "availability_p99_ms" in entry
            )
            or "–"
        ),
    )
    row("growth p99 ratio largest ÷ smallest", lambda v: _fmt(grow[v].get("p99_ratio")))
    profile = results["profile"]
    row(
        "in-process CPU ms per booking: antre / bare statements (SQL statements)",
        lambda v: (
            f"{_fmt(profile[v].get('cpu_ms_per_booking_in_process'))} / "
            f"{_fmt(profile[v].get('cpu_ms_per_bare_statements_in_process'))} "
            f"({_fmt(profile[v].get('queries_per_booking'))})"
            if profile.get(v)
            else "–"
        ),
    )
    row(
        "worker, after the rush: CPU ms per booking announced (audit, e-mail), announced/s",
        lambda v: (
            f"{_fmt(profile[v].get('cpu_ms_per_announcement_in_process'))}, "
            f"{_fmt(profile[v].get('announcements_per_s_in_process'))}"
            if profile.get(v) and profile[v].get("announced")
            else "–"
        ),
    )
    row(
        "in-process CPU ms per availability (1 day): antre / bare query",
        lambda v: (
            f"{_fmt(profile[v].get('cpu_ms_per_availability_1d_in_process'))} / "
            f"{_fmt(profile[v].get('cpu_ms_per_bare_slot_query_in_process'))}"
            if profile.get(v)
            else "–"
        ),
    )
    plans = results["plans"]
    row(
        "sequential scans of bookings in hot plans",
        lambda v: _fmt(plans[v]["booking_seq_scans"]) if plans.get(v) else "–",
    )
    lines.append("")
    lines.append(
        "Targets: "
        + "; ".join(
            f"{check['check']} = {_fmt(check['value'])} "
            f"({'ok' if check['pass'] else ('n/a' if check['pass'] is None else 'MISSED')})"
            for check in results["targets"]
        )
    )
    probe = meta.get("asgi_probe")
    if probe and not probe["post_ok"]:
        lines.append("")
        lines.append(
            f"Measured with `--interface {meta['server']['interface']}`: "
            f"`antre serve --interface asgi` (the default) answered a booking POST with "
            f"{probe['status']} {probe['code'] or ''} (a2wsgi cannot read a request body under "
            "granian; see bench/README.md)."
        )
    if results["skipped"]:
        lines.append("")
        lines.append("Skipped: " + "; ".join(results["skipped"]))
    if results["errors"]:
        lines.append("")
        lines.append("Errors: " + "; ".join(error.splitlines()[0] for error in results["errors"]))
    return "\n".join(lines)


def _short(size: str) -> str:
    number = int(size)
    if number >= 1_000_000:
        return f"{number // 1_000_000} M"
    if number >= 1_000:
        return f"{number // 1_000} k"
    return str(number)


def update_readme(path: Path, table_text: str) -> None:
    text = path.read_text() if path.exists() else ""
    block = f"{README_START}\n{table_text}\n{README_END}"
    if README_START in text and README_END in text:
        text = re.sub(
            re.escape(README_START) + r".*?" + re.escape(README_END),
            lambda _match: block,
            text,
            flags=re.DOTALL,
        )
    else:
        text = text.rstrip() + "\n\n## Latest results\n\n" + block + "\n"
    path.write_text(text)
