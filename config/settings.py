"""The one settings module of antre.

Every value comes from the environment through typed helpers that fail loudly
on a bad value (STYLE.md rule 10). The deployment size (one machine on SQLite,
a city on PostgreSQL and Redis) changes values here, never code. `.env.example`
documents each variable.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from antre.ops.logging import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")


def env_str(name: str, default: str) -> str:
    """A string variable; set-but-empty counts as unset (as in .env.example)."""
    return env.str(name, default="").strip() or default


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}.")
    return value


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    value = env_str(name, default)
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if value and scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={value!r}: the scheme must be one of {', '.join(schemes)}."
        )
    return value


DATA_DIR = Path(env_str("ANTRE_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# `antre serve` runs several worker processes: prometheus-client keeps each
# one's counters in a file under this directory, and /metrics adds them up.
# It must be in the environment before prometheus-client is first imported,
# hence here; `antre serve` empties it at start (antre/ops/metrics.py).
METRICS_DIR = DATA_DIR / "prometheus"
if len(sys.argv) > 1 and sys.argv[1] == "serve":
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(METRICS_DIR))

DEBUG = env_bool("ANTRE_DEBUG", default=False)
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
BASE_URL = env_url("ANTRE_BASE_URL", f"http://127.0.0.1:{PORT}", schemes=("http", "https"))
BASE_URL = BASE_URL.rstrip("/")


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    given = env_str("SECRET_KEY", "")
    if given:
        if len(given) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [host for host in env.list("ANTRE_ALLOWED_HOSTS", default=[]) if host]
_base_host = BASE_URL.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
ALLOWED_HOSTS += [_base_host, "127.0.0.1", "localhost", "[::1]"]
if TESTING:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = [BASE_URL] + [
    origin for origin in env.list("ANTRE_CSRF_TRUSTED_ORIGINS", default=[]) if origin
]

INSTALLED_APPS = [
    "antre.backoffice.apps.BackofficeAdminConfig",  # django.contrib.admin, our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "antre.backoffice.apps.BackgroundTasksConfig",  # django_tasks_db, named in Indonesian
    "phonenumber_field",
    "ninja",
    # Only for its static files (altcha.min.js, served from here, no CDN).
    "django_altcha",
    # domain apps
    "antre.core",
    "antre.accounts",
    "antre.catalog",
    "antre.booking",
    "antre.onsite",
    "antre.waitlist",
    "antre.notifications",
    # interface apps
    "antre.citizen",
    "antre.counter",
    "antre.board",
    "antre.kiosk",
    "antre.backoffice",
    "antre.api",
    "antre.demo",
    # infrastructure: health, readiness, metrics, request logs, worker heartbeats
    "antre.ops",
    "django_structlog",
]

MIDDLEWARE = [
    # First: request id, timing and metrics around everything; answers the
    # health probes before the host check (antre/ops/middleware.py).
    "antre.ops.middleware.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Django's CSP middleware, the policy string rendered once, not per response.
    "antre.ops.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Django's, without re-resolving the URL of a 404 that a view answered.
    "antre.ops.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so that the request line has the user id:
    # django-structlog's RequestMiddleware with antre's line built in.
    "antre.ops.middleware.RequestLogMiddleware",
    "antre.api.idempotency.IdempotencyMiddleware",
    # Django's, with no message storage for /api/v1/ (JSON never shows one).
    "antre.ops.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# A form refused for its CSRF token gets antre's page, not Django's English one.
CSRF_FAILURE_VIEW = "antre.ops.errorpages.csrf_failure"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "antre" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# The web tier (antre serve): worker processes x blocking threads, bounded by
# the database connections they may hold.
WEB_WORKERS = env_int("ANTRE_WEB_WORKERS", min(os.cpu_count() or 1, 4), minimum=1, maximum=64)
WEB_THREADS = env_int("ANTRE_WEB_THREADS", 4, minimum=1, maximum=64)

# Database: SQLite in the data dir unless DATABASE_URL says otherwise. The
# options below are the measured ones (../shared/STACK.md): IMMEDIATE
# transactions so that a read-then-write never fails with "database is
# locked", WAL, and persistent connections.
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'antre.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
_database = env.db_url_config(DATABASE_URL)
# PostgreSQL only: connections per process in Django's pool (0: no pool).
DB_POOL_SIZE = env_int("ANTRE_DB_POOL_SIZE", 0, minimum=0, maximum=500)
DATABASE_IS_SQLITE = _database["ENGINE"] == "django.db.backends.sqlite3"
if DATABASE_IS_SQLITE:
    # Django's backend, each statement's placeholders converted once (antre/core/sqlite).
    _database["ENGINE"] = "antre.core.sqlite"
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    _database["CONN_MAX_AGE"] = 600
    # A file, not memory, so that concurrency tests can open several
    # connections to the same test database.
    _database["TEST"] = {"NAME": str(DATA_DIR / "test-antre.sqlite3")}
else:
    # Persistent connections (one per web thread, kept 10 minutes) unless
    # the pool is asked for with ?pool=true in DATABASE_URL or a pool size;
    # both measured equally fast (docs/deploy.md says when to pick which).
    _options = _database.setdefault("OPTIONS", {})
    _pool_query = str(_options.pop("pool", "")).strip().lower()
    if _pool_query not in {"", "true", "false", "1", "0", "yes", "no", "on", "off"}:
        raise ImproperlyConfigured(f"DATABASE_URL: pool={_pool_query!r} is not a boolean.")
    if DB_POOL_SIZE or _pool_query in {"true", "1", "yes", "on"}:
        # Per process; a web process has WEB_THREADS request threads plus the
        # event streams' one sync thread. Django requires CONN_MAX_AGE=0.
        _pool_max = DB_POOL_SIZE or WEB_THREADS + 2
        _options["pool"] = {"min_size": min(2, _pool_max), "max_size": _pool_max, "timeout": 10}
        _database["CONN_MAX_AGE"] = 0
    else:
        _database["CONN_MAX_AGE"] = 600
    _database["CONN_HEALTH_CHECKS"] = True
    # Fail fast when the server is unreachable: a request or /readyz should
    # not hang for the kernel's TCP timeout.
    _options.setdefault("connect_timeout", 5)
    # The booking path's statements run as prepared statements
    # (antre.core.rows.cursor); the rest of the ORM binds on the client and
    # never prepares. Off (Django's default) for PgBouncer in transaction
    # mode before 1.21, which cannot keep a prepared statement.
    if env_bool("ANTRE_DB_PREPARED", True):
        _options.setdefault("prepare_threshold", 5)
    _database["TEST"] = {"NAME": f"test_{_database['NAME']}"}
DATABASES = {"default": _database}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "antre-test" if TESTING else "antre",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions: in the database (default), or in the shared cache (ANTRE_SESSIONS=cache,
# Redis only: a per-process cache would log people out at random).
ANTRE_SESSIONS = env_str("ANTRE_SESSIONS", "db")
if ANTRE_SESSIONS not in {"db", "cache", "cached_db"}:
    raise ImproperlyConfigured(f"ANTRE_SESSIONS={ANTRE_SESSIONS!r}: use db, cache or cached_db.")
if ANTRE_SESSIONS != "db" and not REDIS_URL:
    raise ImproperlyConfigured(f"ANTRE_SESSIONS={ANTRE_SESSIONS} needs REDIS_URL.")
SESSION_ENGINE = f"django.contrib.sessions.backends.{ANTRE_SESSIONS}"

# How an event stream learns of a new board event written by any app server
# (antre/api/fanout.py): PostgreSQL LISTEN/NOTIFY, Redis pub/sub, or polling
# the table (one server on SQLite). The table stays the source of truth.
ANTRE_EVENTS = env_str("ANTRE_EVENTS", "poll" if DATABASE_IS_SQLITE else "postgres")
if ANTRE_EVENTS not in {"postgres", "redis", "poll"}:
    raise ImproperlyConfigured(f"ANTRE_EVENTS={ANTRE_EVENTS!r}: use postgres, redis or poll.")
if ANTRE_EVENTS == "postgres" and DATABASE_IS_SQLITE:
    raise ImproperlyConfigured("ANTRE_EVENTS=postgres needs a PostgreSQL DATABASE_URL.")
if ANTRE_EVENTS == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("ANTRE_EVENTS=redis needs REDIS_URL.")

TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# E-mail: EMAIL_URL=smtp://[user:pass@]host:port or smtp+tls://...; unset,
# messages are written to files under the data dir (and echoed by `make run`).
EMAIL_URL = env_url("EMAIL_URL", "", schemes=("smtp", "smtp+tls", "smtp+ssl", "smtps"))
if EMAIL_URL:
    _email = env.email_url_config(EMAIL_URL.replace("smtp+ssl://", "smtps://"))
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"],
                "username": _email.get("EMAIL_HOST_USER") or None,
                "password": _email.get("EMAIL_HOST_PASSWORD") or None,
                "use_tls": bool(_email.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "antre.notifications.mailers.EmlFileBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env_str("ANTRE_FROM_EMAIL", "antre <antre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who gets an e-mail about each server error: "Name <a@b>,Other <c@d>".
ADMINS = [address.strip() for address in env_str("ANTRE_ADMINS", "").split(",") if address.strip()]
for _address in ADMINS:
    if "@" not in _address:
        raise ImproperlyConfigured(f"ANTRE_ADMINS: {_address!r} is not an e-mail address.")
EMAIL_SUBJECT_PREFIX = "[antre] "
# At most one e-mail per kind of error in this many seconds (antre/ops/logging.py).
ANTRE_ADMIN_MAIL_INTERVAL = env_int("ANTRE_ADMIN_MAIL_INTERVAL", 600, minimum=0, maximum=86400)
DEFAULT_EXCEPTION_REPORTER_FILTER = "antre.ops.logging.PersonalDataReporterFilter"

# The clock seam: see antre/core/clock.py.
ANTRE_CLOCK = env_str("ANTRE_CLOCK", "")
if ANTRE_CLOCK:
    from antre.core.clock import ClockError, parse_instant

    try:
        parse_instant(ANTRE_CLOCK)
    except ClockError as error:
        raise ImproperlyConfigured(str(error)) from None

# How many active bookings one citizen may hold across all services (anti-hoarding).
ANTRE_MAX_ACTIVE_BOOKINGS = env_int("ANTRE_MAX_ACTIVE_BOOKINGS", 3, minimum=1, maximum=100)
# Who writes what follows a new booking (its audit row, the confirmation
# e-mail, the end of the citizen's wait for the service; antre.booking.announce):
# "worker" (the default: the booking's transaction stays short, the worker
# follows within ANTRE_ANNOUNCE_INTERVAL_MS) or "inline" (in the booking's own
# transaction; the default under tests, which then see it at once).
ANTRE_BOOKING_ANNOUNCE = env_str("ANTRE_BOOKING_ANNOUNCE", "inline" if TESTING else "worker")
if ANTRE_BOOKING_ANNOUNCE not in {"worker", "inline"}:
    raise ImproperlyConfigured(
        f"ANTRE_BOOKING_ANNOUNCE={ANTRE_BOOKING_ANNOUNCE!r}: use worker or inline."
    )
ANTRE_ANNOUNCE_INTERVAL_MS = env_int("ANTRE_ANNOUNCE_INTERVAL_MS", 500, minimum=50, maximum=60_000)

# How often each process writes the API tokens' "last used" times it noted
# (antre.accounts.tokens.UseLog), in milliseconds; 0: with each request.
ANTRE_TOKEN_USES_FLUSH_MS = env_int(
    "ANTRE_TOKEN_USES_FLUSH_MS", 0 if TESTING else 5000, minimum=0, maximum=600_000
)
# How long one process answers the same availability question from memory
# (antre.core.microcache), in milliseconds; 0 is off (the default under
# tests, so that a test sees its own bookings at once).
ANTRE_AVAILABILITY_CACHE_MS = env_int(
    "ANTRE_AVAILABILITY_CACHE_MS", 0 if TESTING else 1000, minimum=0, maximum=60_000
)

# WhatsApp/SMS through an HTTP gateway (Fonnte, Wablas and the like; see
# antre.notifications.transports). Unset URL: e-mail only.
ANTRE_SMS_GATEWAY_URL = env_url("ANTRE_SMS_GATEWAY_URL", "", schemes=("http", "https"))
ANTRE_SMS_GATEWAY_TOKEN = env_str("ANTRE_SMS_GATEWAY_TOKEN", "")
ANTRE_SMS_GATEWAY_CHANNEL = env_str("ANTRE_SMS_GATEWAY_CHANNEL", "whatsapp")
if ANTRE_SMS_GATEWAY_CHANNEL not in {"whatsapp", "sms"}:
    raise ImproperlyConfigured(
        f"ANTRE_SMS_GATEWAY_CHANNEL={ANTRE_SMS_GATEWAY_CHANNEL!r}: use whatsapp or sms."
    )
ANTRE_SMS_GATEWAY_TIMEOUT = env_int("ANTRE_SMS_GATEWAY_TIMEOUT", 10, minimum=1, maximum=120)
if ANTRE_SMS_GATEWAY_URL and not ANTRE_SMS_GATEWAY_TOKEN:
    raise ImproperlyConfigured("ANTRE_SMS_GATEWAY_URL needs ANTRE_SMS_GATEWAY_TOKEN.")

_RATE_PATTERN = re.compile(r"^([1-9]\d*)/([1-9]\d*)?([smhd])$")


def env_rate(name: str, default: str) -> str:
    """A rate limit "COUNT/PERIOD", the period being s, m, h or d with an
    optional multiplier (``10/15m``: ten per fifteen minutes)."""
    value = env_str(name, default)
    if not _RATE_PATTERN.match(value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate like 10/h, 30/10m or 5/30s (count/period)."
        )
    return value


# Rate limits (antre/core/ratelimits.py, docs/security.md): one fixed window
# per key in the default cache (Redis when REDIS_URL is set). "failures"
# limits count only refused attempts (wrong password, unknown code), so that
# a crowd behind one address doing things right is never stopped.
ANTRE_RATE_LIMITS_ENABLED = env_bool("ANTRE_RATE_LIMITS", default=True)
ANTRE_RATE_LIMITS = {
    "register.ip": env_rate("ANTRE_RATE_REGISTER_IP", "20/h"),
    "login.ip": env_rate("ANTRE_RATE_LOGIN_IP", "30/15m"),
    "login.account": env_rate("ANTRE_RATE_LOGIN_ACCOUNT", "10/15m"),
    "password_reset.ip": env_rate("ANTRE_RATE_PASSWORD_RESET_IP", "10/h"),
    "password_reset.account": env_rate("ANTRE_RATE_PASSWORD_RESET_ACCOUNT", "3/h"),
    "booking.ip": env_rate("ANTRE_RATE_BOOKING_IP", "30/h"),
    "booking.account": env_rate("ANTRE_RATE_BOOKING_ACCOUNT", "30/h"),
    "lookup.ip": env_rate("ANTRE_RATE_LOOKUP_IP", "20/h"),
    "lookup.account": env_rate("ANTRE_RATE_LOOKUP_ACCOUNT", "30/h"),
    "lookup.kiosk": env_rate("ANTRE_RATE_LOOKUP_KIOSK", "600/h"),
}
# The proof-of-work challenge (ALTCHA) on the registration and booking pages;
# off under tests unless a test turns it on. ANTRE_API_CHALLENGE asks it of
# the API too (an "Altcha" header), which API.md's callers do not send: opt-in.
ANTRE_CHALLENGE = env_bool("ANTRE_CHALLENGE", default=not TESTING)
ANTRE_API_CHALLENGE = env_bool("ANTRE_API_CHALLENGE", default=False)
# How many numbers the browser may have to try: ~0.1-0.5 s on a cheap phone
# at the default; a challenge is good for ANTRE_CHALLENGE_SECONDS.
ANTRE_CHALLENGE_MAX_NUMBER = env_int(
    "ANTRE_CHALLENGE_MAX_NUMBER", 100_000, minimum=1_000, maximum=10_000_000
)
ANTRE_CHALLENGE_SECONDS = env_int("ANTRE_CHALLENGE_SECONDS", 1200, minimum=60, maximum=86400)
# Signs the challenges; derived from SECRET_KEY unless given.
ANTRE_CHALLENGE_HMAC_KEY = env_str(
    "ANTRE_CHALLENGE_HMAC_KEY",
    hashlib.sha256(f"antre-challenge:{SECRET_KEY}".encode()).hexdigest(),
)


AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password-reset link works once and for one hour (antre.accounts.passwords).
PASSWORD_RESET_TIMEOUT = 60 * 60
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "antre" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "antre" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Citizens log in on their own page; the back office has its own login
# (django.contrib.admin redirects to admin:login itself).
LOGIN_URL = "citizen:login"
LOGIN_REDIRECT_URL = "citizen:bookings"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("ANTRE_HSTS_SECONDS", 31536000)
# Believe X-Forwarded-Proto only when a reverse proxy that sets it (and
# strips a client's) stands in front: else any client could claim https.
ANTRE_TRUSTED_PROXY = env_bool("ANTRE_TRUSTED_PROXY", default=False)
if ANTRE_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (Django's own): everything from this origin. Pages
# carry no inline script or style (htmx's indicator style is off, see
# base.html); an inline block that must exist takes nonce="{{ csp_nonce }}".
# The kiosk's barcode reader compiles WebAssembly ('wasm-unsafe-eval');
# Swagger UI (/api/v1/docs) and Pico draw icons from data: URIs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.WASM_UNSAFE_EVAL, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # The ALTCHA widget solves its challenge in a web worker made from a blob:
    # URL (only same-origin script can make one).
    "worker-src": [CSP.SELF, "blob:"],
}

PHONENUMBER_DEFAULT_REGION = "ID"

# NIK digests are keyed so that a leaked table cannot be reversed by
# enumerating the NIK space without also holding this key.
NIK_HMAC_KEY = env_str("ANTRE_NIK_HMAC_KEY", SECRET_KEY)

# Logs: JSON lines (one per request, with its request id) or plain text for a
# person. Unset: plain on a terminal or with ANTRE_DEBUG, JSON otherwise
# (systemd, containers). See antre/ops/logging.py.
LOG_LEVEL = env_str("ANTRE_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"ANTRE_LOG_LEVEL={LOG_LEVEL!r}: use DEBUG, INFO, WARNING or ERROR.")
LOG_FORMAT = env_str("ANTRE_LOG_FORMAT", "plain" if DEBUG or sys.stderr.isatty() else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"ANTRE_LOG_FORMAT={LOG_FORMAT!r}: use json or plain.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
configure_structlog()
# The id comes from antre.ops.middleware, which keeps a well-formed upstream one.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
# One line per request (request_finished); request_started only at DEBUG.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
# Client addresses stay in the reverse proxy's access log (kept 14 days,
# docs/deploy.md), not in every application line.
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False

# /metrics answers this machine, or anyone with "Authorization: Bearer <token>".
ANTRE_METRICS_TOKEN = env_str("ANTRE_METRICS_TOKEN", "")

# The worker (antre/core/jobs.py): heartbeat period; a heartbeat older than
# STALE means the worker is gone (/readyz fails, its tasks may be recovered);
# a RUNNING task is recovered only after LEASE seconds and when its worker is
# gone. Failed tasks are retried MAX_ATTEMPTS times in all, waiting
# RETRY_SECONDS, then doubling (capped at an hour). Finished tasks are kept
# RETENTION_DAYS.
ANTRE_WORKER_HEARTBEAT_SECONDS = env_int("ANTRE_WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
ANTRE_WORKER_STALE_SECONDS = env_int("ANTRE_WORKER_STALE_SECONDS", 60, minimum=2)
if ANTRE_WORKER_STALE_SECONDS <= ANTRE_WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "ANTRE_WORKER_STALE_SECONDS must be longer than ANTRE_WORKER_HEARTBEAT_SECONDS."
    )
ANTRE_TASK_LEASE_SECONDS = env_int("ANTRE_TASK_LEASE_SECONDS", 120, minimum=1)
ANTRE_TASK_MAX_ATTEMPTS = env_int("ANTRE_TASK_MAX_ATTEMPTS", 5, minimum=1, maximum=100)
ANTRE_TASK_RETRY_SECONDS = env_int("ANTRE_TASK_RETRY_SECONDS", 30, minimum=1)
ANTRE_TASK_RETENTION_DAYS = env_int("ANTRE_TASK_RETENTION_DAYS", 14, minimum=1)
