"""The production profile comes from the environment alone, and a bad value stops the start.

Each case imports config/settings.py in a fresh interpreter with only the
given variables, as a server would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]

PROBE = """
import json
from config import settings as s
database = s.DATABASES["default"]
print(json.dumps({
    "engine": database["ENGINE"],
    "conn_max_age": database["CONN_MAX_AGE"],
    "health_checks": database.get("CONN_HEALTH_CHECKS"),
    "options": database.get("OPTIONS", {}),
    "cache": s.CACHES["default"]["BACKEND"],
    "sessions": s.SESSION_ENGINE,
    "debug": s.DEBUG,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "hsts": getattr(s, "SECURE_HSTS_SECONDS", 0),
    "secure_cookies": [getattr(s, "SESSION_COOKIE_SECURE", False),
                       getattr(s, "CSRF_COOKIE_SECURE", False)],
    "proxy_ssl_header": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "csp": {key: [str(value) for value in values] for key, values in s.SECURE_CSP.items()},
    "admins": s.ADMINS,
    "log_format": s.LOG_FORMAT,
    "static": s.STORAGES["staticfiles"]["BACKEND"],
    "events": s.ANTRE_EVENTS,
}))
"""


def load_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANTRE_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_"))
    }
    environment.update(ANTRE_DATA_DIR=str(tmp_path), **variables)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def profile(tmp_path: Path, **variables: str) -> dict:
    result = load_settings(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_one_machine_profile_is_the_default(tmp_path):
    loaded = profile(tmp_path)
    assert loaded["engine"] == "antre.core.sqlite"
    assert loaded["debug"] is False
    assert loaded["sessions"] == "django.contrib.sessions.backends.db"
    assert loaded["hsts"] == 0
    assert loaded["proxy_ssl_header"] is None
    assert loaded["log_format"] == "json"  # not a terminal
    assert loaded["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert loaded["events"] == "poll"  # one server: streams read the SQLite file


def test_a_city_behind_https_gets_the_pool_redis_and_secure_settings(tmp_path):
    loaded = profile(
        tmp_path,
        DATABASE_URL="postgres://antre:pw@db.internal:5432/antre?pool=true",
        REDIS_URL="redis://cache.internal:6379/0",
        ANTRE_SESSIONS="cache",
        ANTRE_BASE_URL="https://antre.bekasikota.go.id",
        ANTRE_ALLOWED_HOSTS="app1.internal,app2.internal",
        ANTRE_TRUSTED_PROXY="1",
        ANTRE_WEB_THREADS="6",
        ANTRE_ADMINS="Tim Operasi <ops@bekasikota.go.id>,oncall@bekasikota.go.id",
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    # Django's pool needs CONN_MAX_AGE=0; six threads plus two spare.
    assert loaded["conn_max_age"] == 0
    assert loaded["options"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 10}
    assert loaded["health_checks"] is True
    assert loaded["cache"] == "django_redis.cache.RedisCache"
    assert loaded["sessions"] == "django.contrib.sessions.backends.cache"
    assert {"antre.bekasikota.go.id", "app1.internal", "app2.internal"} <= set(
        loaded["allowed_hosts"]
    )
    assert loaded["hsts"] == 31536000
    assert loaded["secure_cookies"] == [True, True]
    assert loaded["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded["csp"]["default-src"] == ["'self'"]
    assert loaded["admins"] == ["Tim Operasi <ops@bekasikota.go.id>", "oncall@bekasikota.go.id"]
    assert loaded["events"] == "postgres"  # LISTEN/NOTIFY across the app servers


def test_event_fan_out_may_go_through_redis(tmp_path):
    loaded = profile(
        tmp_path,
        DATABASE_URL="postgres://antre@db:5432/antre",
        REDIS_URL="redis://cache:6379/0",
        ANTRE_EVENTS="redis",
    )
    assert loaded["events"] == "redis"


def test_without_a_pool_postgres_keeps_persistent_connections(tmp_path):
    loaded = profile(tmp_path, DATABASE_URL="postgres://antre@db:5432/antre")
    assert loaded["conn_max_age"] == 600
    assert "pool" not in loaded["options"]
    sized = profile(
        tmp_path, DATABASE_URL="postgres://antre@db:5432/antre", ANTRE_DB_POOL_SIZE="12"
    )
    assert sized["options"]["pool"]["max_size"] == 12
    assert sized["conn_max_age"] == 0


def test_prepared_statements_are_on_for_postgres_unless_turned_off(tmp_path):
    loaded = profile(tmp_path, DATABASE_URL="postgres://antre@db:5432/antre")
    assert loaded["options"]["prepare_threshold"] == 5
    off = profile(tmp_path, DATABASE_URL="postgres://antre@db:5432/antre", ANTRE_DB_PREPARED="0")
    assert "prepare_threshold" not in off["options"]  # Django's default: none prepared


def test_https_alone_does_not_trust_a_forwarded_proto_header(tmp_path):
    loaded = profile(tmp_path, ANTRE_BASE_URL="https://antre.example.go.id")
    assert loaded["proxy_ssl_header"] is None
    assert loaded["hsts"] == 31536000


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ANTRE_DB_POOL_SIZE": "lots"}, "ANTRE_DB_POOL_SIZE='lots' is not an integer"),
        ({"ANTRE_DB_POOL_SIZE": "-1"}, "ANTRE_DB_POOL_SIZE=-1 is outside 0..500"),
        ({"DATABASE_URL": "postgres://db/antre?pool=maybe"}, "pool='maybe' is not a boolean"),
        ({"ANTRE_SESSIONS": "cache"}, "ANTRE_SESSIONS=cache needs REDIS_URL"),
        ({"ANTRE_LOG_FORMAT": "xml"}, "ANTRE_LOG_FORMAT='xml'"),
        ({"ANTRE_ADMINS": "nobody"}, "ANTRE_ADMINS: 'nobody' is not an e-mail address"),
        ({"ANTRE_TRUSTED_PROXY": "perhaps"}, "ANTRE_TRUSTED_PROXY='perhaps' is not a boolean"),
        ({"ANTRE_EVENTS": "kafka"}, "ANTRE_EVENTS='kafka': use postgres, redis or poll"),
        ({"ANTRE_EVENTS": "postgres"}, "ANTRE_EVENTS=postgres needs a PostgreSQL DATABASE_URL"),
        ({"ANTRE_EVENTS": "redis"}, "ANTRE_EVENTS=redis needs REDIS_URL"),
    ],
)
def test_a_bad_value_stops_the_start_with_a_clear_message(tmp_path, variables, message):
    result = load_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
