"""Settings of the bare ceiling: no apps, no middleware, antre's database options.

The database options are those of ``config/settings.py`` (persistent
connections; on SQLite IMMEDIATE transactions, WAL, ``synchronous=NORMAL``,
a 20 s busy timeout), so that the only difference from antre is what runs
around the two statements.
"""

from __future__ import annotations

import os

import environ

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or "bare-ceiling-" + "x" * 40
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"
USE_I18N = False

_database = environ.Env().db_url_config(os.environ["DATABASE_URL"])
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    _database["CONN_HEALTH_CHECKS"] = True
    _database.setdefault("OPTIONS", {}).pop("pool", None)
_database["CONN_MAX_AGE"] = 600
DATABASES = {"default": _database}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
