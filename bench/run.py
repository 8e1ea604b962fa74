"""``make bench`` (``.venv/bin/python -m bench``): the booking rush, measured
against its ceilings, on SQLite and then on PostgreSQL, in one bounded run.

For each database: a fresh database (``antre_bench`` on PostgreSQL, a file
under bench/results/tmp/ for SQLite), migrated, the demo city seeded, test
citizens made with ``antre loadtest-citizens``, then

1. the raw ceiling: the booking's two statements from Python processes;
2. the bare ceiling: ``bench/bare`` served by granian with antre's settings,
   its booking view under the rush and its slot read;
3. antre itself (``antre serve``, ANTRE_DEBUG off): the booking rush at each
   client count, the sell-out, the on-site floor, the reads;
4. growth: more and more existing bookings (bulk SQL), the rush and the
   availability read again at each size;
5. the plans of the hot statements at the largest size, and a profile.

All traffic goes to 127.0.0.1. Every phase is bounded in time and count; no
phase starts that would not end before the deadline (BENCH_DEADLINE seconds);
every server and child process started here is stopped, also on an error or
Ctrl+C. The results go to bench/results/<date>-<commit>.json, a summary table
is printed, and bench/README.md gets the table of a full run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
import zoneinfo
from pathlib import Path
from typing import Any

from bench import config, db, growth, report

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
SECRET_KEY = "bench-secret-key-not-for-production-0123456789abcdef"
HARD_MARGIN = 45.0
"""Seconds between the soft deadline (no new phase) and the hard one (kill)."""


class DeadlineReached(Exception):
    pass


class Runner:
    def __init__(self, cfg: config.Config) -> None:
        self.cfg = cfg
        self.started = time.monotonic()
        self.soft_deadline = self.started + cfg.deadline
        self.hard_deadline = self.soft_deadline + HARD_MARGIN
        self.database_deadline = self.soft_deadline
        self.asgi_probed = False
        self.children: list[subprocess.Popen[bytes]] = []
        self.server: subprocess.Popen[bytes] | None = None
        self.skipped: list[str] = []
        self.errors: list[str] = []
        self.details: dict[str, Any] = {}
        self.timeline: list[dict[str, Any]] = []
        self.clock = choose_clock()
        self.anchor = repr(time.time())
        self.work = config.WORK_DIR
        self.load_at_start = os.getloadavg()
        stamp = f"{dt.date.today():%Y-%m-%d}-{git_commit()}"
        # Quick runs are smoke tests, not results: they go to a git-ignored folder.
        folder = config.RESULTS_DIR / "quick" if cfg.quick else config.RESULTS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        self.result_path = folder / f"{stamp}.json"
        suffix = 2
        while self.result_path.exists():  # another run of the same day and commit: keep both
            self.result_path = folder / f"{stamp}-{suffix}.json"
            suffix += 1
        self.port = choose_port(cfg.port)

    # --- time -----------------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def fits(self, seconds: float, name: str) -> bool:
        """Whether a phase of about ``seconds`` ends before the soft deadline;
        if not it is skipped (and said so in the results)."""
        if time.monotonic() + seconds <= min(self.soft_deadline, self.database_deadline):
            return True
        self.skipped.append(f"{name}: would not end before the deadline ({seconds:.0f} s needed)")
        log(f"skip {name} (deadline)")
        return False

    def remaining_hard(self) -> float:
        return self.hard_deadline - time.monotonic()

    # --- processes ------------------------------------------------------------

    def env(self, target: db.Target) -> dict[str, str]:
        cfg = self.cfg
        env = dict(os.environ)
        for name in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "PYTEST_ADDOPTS"):
            env.pop(name, None)
        env.update(
            {
                "DATABASE_URL": target.url,
                "ANTRE_DATA_DIR": str(self.work / target.vendor),
                "ANTRE_DEBUG": "0",
                "SECRET_KEY": SECRET_KEY,
                "ANTRE_CLOCK": self.clock.isoformat(),
                "ANTRE_CLOCK_ANCHOR": self.anchor,
                "PORT": str(self.port),
                "ANTRE_WEB_WORKERS": str(cfg.workers),
                "ANTRE_WEB_THREADS": str(cfg.threads),
                "PYTHONPATH": str(config.ROOT),
                "BENCH_HOT_SITE": cfg.hot_site,
                "BENCH_HOT_SERVICE": cfg.hot_service,
                "BENCH_SELLOUT_SERVICE": cfg.sellout_service,
            }
        )
        return env

    def call(
        self, command: list[str], env: dict[str, str], *, timeout: float, name: str
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a child in its own process group, bounded by ``timeout`` and the
        hard deadline; its whole group is stopped if it overstays."""
        limit = min(timeout, self.remaining_hard())
        if limit <= 1:
            raise DeadlineReached(name)
        log_path = self.work / "logs" / f"{name}.log"
        with log_path.open("ab") as output:
            child = subprocess.Popen(
                command,
                env=env,
                cwd=config.ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.children.append(child)
            try:
                child.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                stop_group(child)
                raise RuntimeError(f"{name} did not finish in {limit:.0f} s") from None
            finally:
                if child.poll() is None:
                    stop_group(child)
                self.children.remove(child)
        if child.returncode != 0:
            tail = log_path.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{name} failed ({child.returncode}):\n{tail}")
        return subprocess.CompletedProcess(command, child.returncode)

    def start_server(self, command: list[str], env: dict[str, str], name: str) -> None:
        self.stop_server()
        if not port_is_free(self.port):
            raise RuntimeError(f"port {self.port} on 127.0.0.1 is taken by another process")
        log_path = self.work / "logs" / f"{name}.log"
        output = log_path.open("ab")
        self.server = subprocess.Popen(
            command,
            env=env,
            cwd=config.ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        output.close()
        url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                tail = log_path.read_text(errors="replace")[-1500:]
                raise RuntimeError(f"{name} exited at start:\n{tail}")
            try:
                urllib.request.urlopen(url, timeout=2)
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer: it is up
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer within 40 s")

    def stop_server(self) -> None:
        if self.server is not None:
            stop_group(self.server)
            self.server = None

    def stop_everything(self) -> None:
        self.stop_server()
        for child in list(self.children):
            stop_group(child)

    # --- phases ---------------------------------------------------------------

    def phase(self, name: str, seconds: float) -> bool:
        if not self.fits(seconds, name):
            return False
        self.timeline.append({"phase": name, "at_s": round(self.elapsed(), 1)})
        log(f"{name} (~{seconds:.0f} s, {self.elapsed():.0f} s elapsed)")
        return True

    def load(self, target: db.Target, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        spec = {
            "base_url": f"http://127.0.0.1:{self.port}",
            "idempotency_keys": self.cfg.idempotency_keys,
            "max_requests": 1_000_000,
            **spec,
        }
        spec_path = self.work / f"{target.vendor}-{name}.spec.json"
        out_path = self.work / f"{target.vendor}-{name}.out.json"
        spec_path.write_text(json.dumps(spec))
        out_path.unlink(missing_ok=True)
        self.call(
            [config.PYTHON, "-m", "bench.loadgen", str(spec_path), str(out_path)],
            self.env(target),
            timeout=float(spec["warmup"]) + float(spec["duration"]) + 60,
            name=f"{target.vendor}-loadgen-{name}",
        )
        result: dict[str, Any] = json.loads(out_path.read_text())
        self.details.setdefault(target.vendor, {})[name] = result
        log(f"  {name}: {report.one_line(result)}")
        return result

    def run_database(self, vendor: str, out: dict[str, Any]) -> None:
        """Every phase on one database; ``out`` fills as they end (a failure
        or the deadline leaves what was measured)."""
        cfg = self.cfg
        target = self.create_database(vendor)
        env = self.env(target)
        if cfg.keep:  # to rerun a phase by hand against the kept database
            (self.work / f"{vendor}-env.json").write_text(json.dumps(env, indent=1))
        setup_started = time.monotonic()
        antre = [config.PYTHON, "-m", "antre"]
        self.call([*antre, "migrate", "--noinput"], env, timeout=180, name=f"{vendor}-migrate")
        # As `make run` does: pages (the server's readiness probe reads /) need
        # the static files' manifest.
        self.call([*antre, "collectstatic", "--noinput"], env, timeout=120, name=f"{vendor}-static")
        self.call([*antre, "seed_demo"], env, timeout=180, name=f"{vendor}-seed")
        tokens = self.work / f"{vendor}-citizens.csv"
        self.call(
            [
                *antre,
                "loadtest-citizens",
                "--count",
                str(cfg.citizens),
                "--out",
                str(tokens),
                "--force",
            ],
            env,
            timeout=300,
            name=f"{vendor}-citizens",
        )
        plan_path = self.work / f"{vendor}-plan.json"
        self.call(
            [config.PYTHON, "-m", "bench.prepare", str(tokens), str(plan_path)],
            env,
            timeout=120,
            name=f"{vendor}-prepare",
        )
        plan = json.loads(plan_path.read_text())
        out["setup_s"] = round(time.monotonic() - setup_started, 1)
        out["plan"] = {
            "clock": plan["clock"],
            "rush_days": len(plan["rush"]["days"]),
            "rush_slots_per_day": len(plan["rush"]["days"][0][1]),
            "citizens": len(plan["citizens"]),
            "counters": len(plan["onsite"]["counters"]),
            "kiosk_sites": [kiosk["site"] for kiosk in plan["onsite"]["kiosks"]],
        }
        connection = db.connect(target)
        rush_days = [slots for _day, slots in plan["rush"]["days"]]
        rush_slots = [slot for day in rush_days for slot in day]
        try:
            self.raw_phase(target, connection, plan, rush_days, out)
            self.bare_phases(target, connection, plan, rush_days, rush_slots, out)
            self.antre_phases(target, connection, plan, rush_days, rush_slots, out)
            self.growth_phases(target, connection, plan, rush_days, rush_slots, out)
        finally:
            self.stop_server()
            connection.close()

    def create_database(self, vendor: str) -> db.Target:
        if vendor == "sqlite":
            folder = self.work / "sqlite"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            return db.sqlite_target(folder / "antre.sqlite3")
        target = db.postgres_target(self.cfg.postgres_url)
        admin = ["-h", "127.0.0.1", "-U", "postgres"]
        (self.work / "postgresql").mkdir(parents=True, exist_ok=True)
        subprocess.run(["dropdb", *admin, "--if-exists", "--force", target.name], check=True)
        subprocess.run(["createdb", *admin, target.name], check=True)
        return target

    def drop_database(self, vendor: str) -> None:
        if self.cfg.keep:
            return
        if vendor == "sqlite":
            shutil.rmtree(self.work / "sqlite", ignore_errors=True)
        else:
            target = db.postgres_target(self.cfg.postgres_url)
            subprocess.run(
                [
                    "dropdb",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "--if-exists",
                    "--force",
                    target.name,
                ],
                check=False,
            )

    def check(
        self, target: db.Target, connection: Any, name: str, slot_ids: list[int]
    ) -> dict[str, int]:
        found = db.oversold(connection, target, slot_ids)
        self.details.setdefault(target.vendor, {}).setdefault("checks", {})[name] = found
        if found["oversold"]:
            log(f"  !! {name}: {found['oversold']} oversold or miscounted slots")
        return found

    def raw_phase(
        self,
        target: db.Target,
        connection: Any,
        plan: dict[str, Any],
        rush_days: list[list[int]],
        out: dict[str, Any],
    ) -> None:
        cfg = self.cfg
        if not self.phase(f"{target.vendor} raw", cfg.raw_duration + cfg.warmup + 15):
            return
        db.reset_slots(connection, target, rush_days, seats_per_day=None)
        hot = plan["hot"]
        services = [hot["service"]] + [pk for pk in plan["services"] if pk != hot["service"]]
        spec = {
            "target": {
                "vendor": target.vendor,
                "url": target.url,
                "path": str(target.path) if target.path else None,
                "conninfo": target.conninfo,
                "name": target.name,
            },
            "processes": cfg.raw_processes[target.vendor],
            "duration": cfg.raw_duration,
            "warmup": cfg.warmup,
            "days": rush_days,
            "citizens": [citizen for citizen, _token in self.load_citizens(plan)],
            "services": services,
            "site_id": hot["site"],
        }
        spec_path = self.work / f"{target.vendor}-raw.spec.json"
        out_path = self.work / f"{target.vendor}-raw.out.json"
        spec_path.write_text(json.dumps(spec))
        self.call(
            [config.PYTHON, "-m", "bench.raw", str(spec_path), str(out_path)],
            self.env(target),
            timeout=cfg.raw_duration + cfg.warmup + 60,
            name=f"{target.vendor}-raw",
        )
        out["raw"] = json.loads(out_path.read_text())
        out["raw"]["check"] = self.check(
            target, connection, "raw", [slot for day in rush_days for slot in day]
        )
        log(f"  raw: {out['raw']['bookings_per_s']} bookings/s, p99 {out['raw']['p99_ms']} ms")

    def rush_spec(
        self, plan: dict[str, Any], rush_days: list[list[int]], *, target: str, clients: int
    ) -> dict[str, Any]:
        return {
            "kind": "rush",
            "target": target,
            "clients": clients,
            "duration": self.cfg.duration,
            "warmup": self.cfg.warmup,
            "days": rush_days,
            "citizens": self.load_citizens(plan),
            "site_id": plan["hot"]["site"],
            "service_id": plan["hot"]["service"],
        }

    def load_citizens(self, plan: dict[str, Any]) -> list[list[Any]]:
        """The pool without its tail, which is kept for the in-process
        phases (the ASGI probe, bench.hotpath's profile and plans): a fast
        load phase may use up every citizen it is given."""
        return plan["citizens"][: -self.in_process_citizens()]

    def in_process_citizens(self) -> int:
        return 2 * self.cfg.profile_requests + 20

    def rush_seconds(self, duration: float | None = None) -> float:
        return self.cfg.warmup + (duration or self.cfg.duration) + 8

    def bare_phases(
        self,
        target: db.Target,
        connection: Any,
        plan: dict[str, Any],
        rush_days: list[list[int]],
        rush_slots: list[int],
        out: dict[str, Any],
    ) -> None:
        cfg = self.cfg
        needed = len(cfg.clients) * self.rush_seconds() + 2 * (cfg.read_duration + 8) + 10
        if not self.phase(f"{target.vendor} bare", needed):
            return
        self.start_server(
            [
                config.PYTHON,
                "-m",
                "bench.bare.serve",
                "--interface",
                cfg.interface,
                "--workers",
                str(cfg.workers),
                "--threads",
                str(cfg.threads),
                "--port",
                str(self.port),
            ],
            self.env(target),
            f"{target.vendor}-bare-server",
        )
        bare: dict[str, Any] = {"rush": {}}
        for clients in cfg.clients:
            db.reset_slots(connection, target, rush_days, seats_per_day=cfg.seats_per_day)
            result = self.load(
                target,
                f"bare-rush-{clients}",
                self.rush_spec(plan, rush_days, target="bare", clients=clients),
            )
            result["check"] = self.check(target, connection, f"bare-rush-{clients}", rush_slots)
            bare["rush"][str(clients)] = result
        for name in ("bare_1d", "bare_31d"):
            bare[name] = self.load(
                target, name.replace("_", "-"), self.get_spec(plan["reads"][name])
            )
        out["bare"] = bare
        self.stop_server()

    def get_spec(self, paths: list[Any], clients: int | None = None) -> dict[str, Any]:
        return {
            "kind": "get",
            "clients": clients or self.cfg.read_clients,
            "duration": self.cfg.read_duration,
            "warmup": min(self.cfg.warmup, 1.0),
            "paths": paths,
        }

    def asgi_probe(self, target: db.Target, plan: dict[str, Any]) -> dict[str, Any]:
        """One booking through ``antre serve --interface asgi`` (production's
        default mode): does a POST with a JSON body get through?"""
        self.start_antre(target, interface="asgi")
        try:
            # Past what bench.hotpath takes from the end of the pool.
            _citizen, token = plan["citizens"][-(2 * self.cfg.profile_requests + 3)]
            slot = plan["rush"]["days"][-1][1][0]
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/api/v1/bookings",
                data=json.dumps({"slot_id": slot}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, body = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read()
        finally:
            self.stop_server()
        try:
            code = json.loads(body).get("code")
        except ValueError:
            code = None
        result = {"interface": "asgi", "status": status, "code": code, "post_ok": status == 201}
        log(f"  asgi probe: POST /api/v1/bookings -> {status} {code or ''}")
        return result

    def start_antre(
        self,
        target: db.Target,
        *,
        interface: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        cfg = self.cfg
        self.start_server(
            [
                config.PYTHON,
                "-m",
                "antre",
                "serve",
                "--interface",
                interface or cfg.interface,
                "--workers",
                str(cfg.workers),
                "--threads",
                str(cfg.threads),
                "--port",
                str(self.port),
            ],
            {**self.env(target), **(extra_env or {})},
            f"{target.vendor}-antre-server",
        )

    def antre_phases(
        self,
        target: db.Target,
        connection: Any,
        plan: dict[str, Any],
        rush_days: list[list[int]],
        rush_slots: list[int],
        out: dict[str, Any],
    ) -> None:
        cfg = self.cfg
        antre: dict[str, Any] = {"rush": {}}
        out["antre"] = antre
        if cfg.interface != "asgi" and not self.asgi_probed and self.phase("asgi probe", 15):
            self.asgi_probed = True
            out["asgi_probe"] = self.asgi_probe(target, plan)
        self.start_antre(target)
        for clients in cfg.clients:
            if not self.phase(f"{target.vendor} antre rush {clients}", self.rush_seconds()):
                continue
            db.reset_slots(connection, target, rush_days, seats_per_day=cfg.seats_per_day)
            result = self.load(
                target,
                f"antre-rush-{clients}",
                self.rush_spec(plan, rush_days, target="antre", clients=clients),
            )
            result["check"] = self.check(target, connection, f"antre-rush-{clients}", rush_slots)
            antre["rush"][str(clients)] = result

        sellout = plan["sellout"]
        sellout_cap = 60.0 if not cfg.quick else 30.0
        if self.phase(f"{target.vendor} sell-out", sellout_cap + 10):
            day = sellout["days"][0][1]
            db.reset_slots(connection, target, [day], seats_per_day=cfg.sellout_seats)
            db.set_day_seats(connection, target, day, cfg.sellout_seats)
            result = self.load(
                target,
                "antre-sellout",
                {
                    "kind": "sellout",
                    "target": "antre",
                    "clients": cfg.sellout_clients,
                    "duration": sellout_cap,
                    "warmup": 0,
                    "days": [day],
                    "citizens": plan["citizens"][: cfg.sellout_citizens],
                },
            )
            result["seats"] = cfg.sellout_seats
            result["time_cap_s"] = sellout_cap
            result["check"] = self.check(target, connection, "antre-sellout", day)
            antre["sellout"] = result

        if self.phase(f"{target.vendor} on site", cfg.warmup + cfg.onsite_duration + 8):
            onsite = plan["onsite"]
            result = self.load(
                target,
                "antre-onsite",
                {
                    "kind": "onsite",
                    "clients": cfg.onsite_kiosk_clients,
                    "kiosk_clients": cfg.onsite_kiosk_clients,
                    "duration": cfg.onsite_duration,
                    "warmup": cfg.warmup,
                    "kiosks": onsite["kiosks"],
                    "counters": onsite["counters"],
                },
            )
            result["check"] = db.ticket_duplicates(connection, target)
            antre["onsite"] = result

        reads: dict[str, Any] = {}
        antre["reads"] = reads
        for name in ("availability_1d", "availability_31d", "directory", "board"):
            if not self.phase(f"{target.vendor} read {name}", cfg.read_duration + 8):
                continue
            reads[name] = self.load(
                target, name.replace("_", "-"), self.get_spec(plan["reads"][name])
            )
        # The same 1-day read with each process's one-second answer cache
        # (ANTRE_AVAILABILITY_CACHE_MS) off: what every request costs when
        # it has to be answered from the database.
        if self.phase(f"{target.vendor} read availability_1d_uncached", cfg.read_duration + 12):
            self.stop_server()
            self.start_antre(target, extra_env={"ANTRE_AVAILABILITY_CACHE_MS": "0"})
            try:
                reads["availability_1d_uncached"] = self.load(
                    target,
                    "availability-1d-uncached",
                    self.get_spec(plan["reads"]["availability_1d"]),
                )
            finally:
                self.stop_server()
                self.start_antre(target)

        if cfg.profile and self.phase(f"{target.vendor} profile", 40):
            db.reset_slots(connection, target, rush_days, seats_per_day=cfg.seats_per_day)
            out_path = self.work / f"{target.vendor}-profile.json"
            text = self.result_path.with_name(
                f"{self.result_path.stem}-profile-{target.vendor}.txt"
            )
            self.call(
                [
                    config.PYTHON,
                    "-m",
                    "bench.hotpath",
                    str(self.work / f"{target.vendor}-plan.json"),
                    str(out_path),
                    "--profile",
                    str(cfg.profile_requests),
                    str(text),
                ],
                self.env(target),
                timeout=120,
                name=f"{target.vendor}-profile",
            )
            out["profile"] = json.loads(out_path.read_text())["profile"]

    def growth_phases(
        self,
        target: db.Target,
        connection: Any,
        plan: dict[str, Any],
        rush_days: list[list[int]],
        rush_slots: list[int],
        out: dict[str, Any],
    ) -> None:
        cfg = self.cfg
        sizes = cfg.growth_sizes.get(target.vendor, ())
        results: dict[str, Any] = {}
        out["growth"] = {"sizes": results, "configured": list(sizes)}
        if self.server is None:
            self.start_antre(target)
        rate = GENERATION_RATE[target.vendor]  # until this run has measured its own
        for size in sizes:
            # The rush's own bookings go first: the sizes count what was there before.
            db.reset_slots(connection, target, rush_days, seats_per_day=cfg.seats_per_day)
            current = db.count_bookings(connection, target)
            # Generating, then VACUUM ANALYZE and a CHECKPOINT on PostgreSQL (measured: a few per
            # cent more), then the rush and the read.
            estimate = 1.15 * max(size - current, 0) / rate + 2 * self.rush_seconds(
                cfg.growth_duration
            )
            if not self.phase(f"{target.vendor} growth {size:,}", estimate):
                results[str(size)] = {"skipped": "deadline"}
                continue
            try:
                generated = growth.grow(
                    connection,
                    target,
                    to_size=size,
                    citizen_range=plan["citizen_range"],
                    parallel=os.cpu_count() or 1,
                    time_limit=max(self.soft_deadline - time.monotonic(), 1.0),
                )
            except Exception as error:
                results[str(size)] = {"error": f"generating failed: {error}"}
                self.errors.append(f"{target.vendor} growth {size:,}: {error}")
                log(f"  !! generating {size:,} failed: {error}")
                break
            log(f"  generated {generated}")
            if generated["added"] > 50_000 and generated.get("seconds"):
                rate = generated["added"] / generated["seconds"]
            entry: dict[str, Any] = {"generate": generated}
            spec = self.rush_spec(plan, rush_days, target="antre", clients=cfg.growth_clients)
            spec["duration"] = cfg.growth_duration
            entry["rush"] = self.load(
                target,
                f"growth-{size}-rush",
                spec,
            )
            entry["rush"]["check"] = self.check(target, connection, f"growth-{size}", rush_slots)
            read = self.get_spec(plan["reads"]["availability_31d"])
            read["duration"] = cfg.growth_duration
            entry["availability_31d"] = self.load(target, f"growth-{size}-availability", read)
            results[str(size)] = entry
        self.stop_server()
        if self.phase(f"{target.vendor} explain", 30):
            db.reset_slots(connection, target, rush_days, seats_per_day=cfg.seats_per_day)
            out_path = self.work / f"{target.vendor}-explain.json"
            self.call(
                [
                    config.PYTHON,
                    "-m",
                    "bench.hotpath",
                    str(self.work / f"{target.vendor}-plan.json"),
                    str(out_path),
                    "--explain",
                ],
                self.env(target),
                timeout=120,
                name=f"{target.vendor}-explain",
            )
            out["explain"] = json.loads(out_path.read_text())["explain"]
            out["explain_at_bookings"] = db.count_bookings(connection, target)

    # --- the whole run --------------------------------------------------------

    def run(self) -> dict[str, Any]:
        cfg = self.cfg
        shutil.rmtree(self.work, ignore_errors=True)
        (self.work / "logs").mkdir(parents=True)
        config.RESULTS_DIR.mkdir(exist_ok=True)
        log(
            f"bench {'(quick) ' if cfg.quick else ''}on {', '.join(cfg.databases)}; "
            f"clock {self.clock.isoformat()}; deadline {cfg.deadline:.0f} s; "
            f"load average {self.load_at_start[0]:.2f}"
        )
        per_database: dict[str, Any] = {}
        interrupted = False
        try:
            for index, vendor in enumerate(cfg.databases):
                # Each database gets its share of the time that is left, so
                # that a slow first one cannot starve the second.
                left = self.soft_deadline - time.monotonic()
                share = (
                    cfg.database_share.get(vendor, 1.0) if index < len(cfg.databases) - 1 else 1.0
                )
                self.database_deadline = time.monotonic() + left * share
                per_database[vendor] = {"vendor": vendor}
                try:
                    self.run_database(vendor, per_database[vendor])
                except DeadlineReached as reached:
                    self.errors.append(f"{vendor}: hard deadline reached in {reached}")
                    break
                except Exception as error:
                    self.errors.append(f"{vendor}: {error}")
                    log(f"!! {vendor} failed: {error}")
                    traceback.print_exc()
                finally:
                    self.stop_everything()
                    self.drop_database(vendor)
        except KeyboardInterrupt:
            interrupted = True
            self.errors.append("interrupted")
            log("interrupted: stopping")
        finally:
            self.stop_everything()
        results = report.assemble(
            cfg=cfg,
            per_database=per_database,
            meta=self.meta(),
            skipped=self.skipped,
            errors=self.errors,
            details=self.details,
            timeline=self.timeline,
        )
        results["meta"]["interrupted"] = interrupted
        results["meta"]["elapsed_s"] = round(self.elapsed(), 1)
        path = self.result_path
        path.write_text(json.dumps(results, indent=1, default=str))
        table = report.table(results)
        print(table)
        path.with_suffix(".md").write_text(table + "\n")
        if not cfg.quick and not interrupted:
            report.update_readme(config.BENCH_DIR / "README.md", table)
        log(f"results: {path.relative_to(config.ROOT)} ({self.elapsed():.0f} s)")
        if not cfg.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        return results

    def meta(self) -> dict[str, Any]:
        cfg = self.cfg
        return {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "dirty": git_dirty(),
            "quick": cfg.quick,
            "machine": {
                "cores": os.cpu_count(),
                "cpu": cpu_model(),
                "load_average_at_start": [round(value, 2) for value in self.load_at_start],
                "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
                "python": platform.python_version(),
                "platform": platform.platform(),
                "postgresql": postgres_version() if "postgresql" in cfg.databases else None,
                "sqlite": sqlite_version(),
            },
            "server": {
                "command": "antre serve",
                "interface": cfg.interface,
                "workers": cfg.workers,
                "threads": cfg.threads,
                "debug": False,
            },
            "clock": self.clock.isoformat(),
            "load_generator": "bench.loadgen: asyncio + aiohttp, one process, same machine",
            "config": cfg.as_dict(),
        }


# Bookings a second the growth step generates (for the deadline estimates).
GENERATION_RATE = {"sqlite": 60_000.0, "postgresql": 60_000.0}


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port``. granian binds with
    SO_REUSEPORT, so it would share a port another server already holds (and
    the kernel would split our connections between the two): check first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR: connections of our previous server in TIME_WAIT do not
        # count, a listening socket does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_port(preferred: int) -> int:
    for port in range(preferred, preferred + 50):
        if port_is_free(port):
            return port
    raise RuntimeError(f"No free port in {preferred}..{preferred + 49} on 127.0.0.1")


def choose_clock() -> dt.datetime:
    """10:00 in Jakarta on the next working day (not a weekend, national
    holiday or cuti bersama): the sites are open, so walk-ins are issued,
    and the next working day's slots are bookable."""
    import holidays

    day = dt.datetime.now(JAKARTA).date() + dt.timedelta(days=1)
    closed = holidays.Indonesia(years=[day.year, day.year + 1], categories=("public", "government"))
    while day.weekday() >= 5 or day in closed:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=JAKARTA)


def stop_group(child: subprocess.Popen[bytes]) -> None:
    """Stop a child we started and its process group (it leads one)."""
    if child.poll() is not None:
        return
    try:
        os.killpg(child.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        child.wait(timeout=5)


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=config.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "nocommit"


def git_dirty() -> bool:
    try:
        return bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=config.ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        return False


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def postgres_version() -> str | None:
    try:
        return subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def main() -> int:
    cfg = config.load()
    if not Path(config.PYTHON).exists():
        print("No .venv: run `make bench` (it builds the virtualenv first).", file=sys.stderr)
        return 2

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Also SIGINT: a shell that starts us in the background ignores it by
    # default, and `timeout --signal=INT` (make bench) relies on it.
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    runner = Runner(cfg)
    try:
        results = runner.run()
    finally:
        runner.stop_everything()
    return 1 if results["errors"] or results["meta"]["interrupted"] else 0
