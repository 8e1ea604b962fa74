"""Django's SQLite backend, converting each statement's placeholders once.

Django's SQLite cursor rewrites every statement from Django's ``%s``
placeholders to SQLite's ``?`` with a regular expression on each execute:
about 8 microseconds for the token lookup's statement, on every statement
of every request. The conversion depends on the statement's text alone, so
this backend keeps it for the statements it has seen (the booking path's
are the same strings every time, ``antre.core.rows``). Everything else is
Django's backend (``ENGINE`` ``antre.core.sqlite``; the vendor stays
``sqlite``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db.backends.sqlite3 import base

# Statements of other shapes (IN lists of other lengths) come and go; the
# least recently used make room. Long ones (a bulk INSERT of many rows) are
# converted each time: their conversion is small beside their work, and
# keeping them would cost memory.
CONVERTED_STATEMENTS = 4096
LONGEST_KEPT = 8192


def qmark(query: str) -> str:
    """``query`` with SQLite's placeholders: Django's own conversion."""
    if len(query) > LONGEST_KEPT:
        return _convert(query)
    return _kept(query)


def _convert(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


_kept = functools.lru_cache(maxsize=CONVERTED_STATEMENTS)(_convert)


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Sequence[str] | None = None) -> str:
        if param_names is None:
            return qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=SQLiteCursorWrapper)


__all__ = ["DatabaseWrapper"]
