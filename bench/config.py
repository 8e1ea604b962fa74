"""What one ``make bench`` run does, from environment variables.

Every size and duration is configurable; ``BENCH_QUICK=1`` swaps in small
sizes and short phases (a smoke run of the whole pipeline in a few minutes).
The defaults fit the whole run into the 15-minute budget on 2 cores.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
WORK_DIR = RESULTS_DIR / "tmp"  # git-ignored scratch: databases, token files, phase specs
PYTHON = str(ROOT / ".venv" / "bin" / "python")

DATABASES = ("sqlite", "postgresql")


def _str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def _ints(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() in {"none", "0", "off"}:
        return ()
    return tuple(int(part.replace("_", "")) for part in raw.split(",") if part.strip())


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    quick: bool
    databases: tuple[str, ...]
    clients: tuple[int, ...]
    duration: float
    """Seconds of each measured write phase (after its warm-up)."""
    read_duration: float
    warmup: float
    raw_duration: float
    onsite_duration: float
    citizens: int
    seats_per_day: int
    """Seats of each rush day of the hot service, spread over its slots."""
    sellout_seats: int
    sellout_citizens: int
    sellout_clients: int
    read_clients: int
    onsite_kiosk_clients: int
    growth_sizes: dict[str, tuple[int, ...]]
    growth_clients: int
    growth_duration: float
    database_share: dict[str, float]
    """The share of the time left that a database (not the last) may use."""
    deadline: float
    """Seconds from the start after which no phase starts; the run stops."""
    port: int
    interface: str
    workers: int
    threads: int
    raw_processes: dict[str, int]
    """Processes of the raw ceiling: on SQLite one writer at a time holds the
    lock, and more processes than cores only queue on it (measured: 2 did
    best); on PostgreSQL as many as the server's connections."""
    idempotency_keys: bool
    profile: bool
    profile_requests: int
    keep: bool
    hot_site: str
    hot_service: str
    sellout_service: str
    postgres_url: str
    postgres_admin: tuple[str, ...] = field(default=("-h", "127.0.0.1", "-U", "postgres"))

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["growth_sizes"] = {db: list(sizes) for db, sizes in self.growth_sizes.items()}
        return data


def load() -> Config:
    quick = _bool("BENCH_QUICK", False)
    cores = os.cpu_count() or 1
    workers = _int("BENCH_WORKERS", min(cores, 4))
    threads = _int("BENCH_THREADS", 4)
    if quick:
        growth_default: dict[str, tuple[int, ...]] = {
            "sqlite": (1_000, 10_000, 100_000),
            "postgresql": (1_000, 10_000, 100_000),
        }
    else:
        # 10 M bookings on SQLite take minutes to generate and index; the
        # 15-minute budget has room for them on PostgreSQL only.
        growth_default = {
            "sqlite": (10_000, 1_000_000),
            "postgresql": (10_000, 1_000_000, 10_000_000),
        }
    growth = {
        db: _ints(f"BENCH_GROWTH_SIZES_{db.upper()}", _ints("BENCH_GROWTH_SIZES", sizes))
        for db, sizes in growth_default.items()
    }
    databases = tuple(
        db.strip() for db in _str("BENCH_DATABASES", ",".join(DATABASES)).split(",") if db.strip()
    )
    unknown = set(databases) - set(DATABASES)
    if unknown:
        raise SystemExit(f"BENCH_DATABASES: unknown {', '.join(sorted(unknown))}")
    return Config(
        quick=quick,
        databases=databases,
        clients=_ints("BENCH_CLIENTS", (64, 256)),
        duration=_float("BENCH_DURATION", 3 if quick else 10),
        read_duration=_float("BENCH_READ_DURATION", 2 if quick else 5),
        warmup=_float("BENCH_WARMUP", 1 if quick else 2),
        raw_duration=_float("BENCH_RAW_DURATION", 2 if quick else 6),
        onsite_duration=_float("BENCH_ONSITE_DURATION", 3 if quick else 8),
        citizens=_int("BENCH_CITIZENS", 20_000),
        seats_per_day=_int("BENCH_SEATS_PER_DAY", 1_200),
        sellout_seats=_int("BENCH_SELLOUT_SEATS", 300 if quick else 1_000),
        sellout_citizens=_int("BENCH_SELLOUT_CITIZENS", 6_000 if quick else 20_000),
        sellout_clients=_int("BENCH_SELLOUT_CLIENTS", 256),
        read_clients=_int("BENCH_READ_CLIENTS", 64),
        onsite_kiosk_clients=_int("BENCH_ONSITE_KIOSKS", 24),
        growth_sizes=growth,
        growth_clients=_int("BENCH_GROWTH_CLIENTS", 64),
        growth_duration=_float("BENCH_GROWTH_DURATION", 3 if quick else 6),
        database_share={"sqlite": _float("BENCH_SQLITE_SHARE", 0.38)},
        deadline=_float("BENCH_DEADLINE", 840),
        port=_int("BENCH_PORT", 8765),
        # WSGI: `antre serve`'s default ASGI mode answers every POST with a JSON
        # body with 500 under granian (a2wsgi, see bench/bare/asgi.py), and
        # WSGI with blocking threads is the measured best for request/response.
        interface=_str("BENCH_INTERFACE", "wsgi"),
        workers=workers,
        threads=threads,
        raw_processes={
            "sqlite": _int("BENCH_RAW_PROCESSES_SQLITE", cores),
            "postgresql": _int("BENCH_RAW_PROCESSES_POSTGRESQL", workers * threads),
        },
        idempotency_keys=_bool("BENCH_IDEMPOTENCY_KEYS", True),
        profile=_bool("BENCH_PROFILE", True),
        profile_requests=_int("BENCH_PROFILE_REQUESTS", 100 if quick else 200),
        keep=_bool("BENCH_KEEP", False),
        hot_site=_str("BENCH_HOT_SITE", "mpp-kota-bekasi"),
        hot_service=_str("BENCH_HOT_SERVICE", "perekaman-ktp-el"),
        sellout_service=_str("BENCH_SELLOUT_SERVICE", "kartu-keluarga"),
        postgres_url=_str("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/antre_bench"),
    )
