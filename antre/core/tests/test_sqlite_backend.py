"""antre's SQLite backend: Django's, each statement's placeholders converted once."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from antre.accounts.models import User
from antre.core.sqlite import base
from antre.testing import factories as f

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite")

STATEMENTS = [
    "SELECT 1",
    'SELECT "id" FROM "t" WHERE "a" = %s AND "b" IN (%s, %s)',
    "SELECT '100%%' || %s, '%%s' FROM \"t\"",
    'UPDATE "t" SET "a" = %s WHERE "b" LIKE \'%%x%%\'',
]


@pytest.mark.parametrize("query", STATEMENTS)
def test_a_statement_is_converted_as_django_converts_it(query):
    assert base.qmark(query) == DjangoCursor.convert_query(None, query)  # type: ignore[arg-type]


@on_sqlite
@pytest.mark.django_db
def test_named_placeholders_keep_djangos_conversion():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT %(a)s, %(b)s", {"a": 1, "b": "dua"})
        assert cursor.fetchone() == (1, "dua")


def test_a_statement_seen_again_is_not_converted_again(monkeypatch):
    base._kept.cache_clear()
    calls: list[str] = []
    pattern = base.base.FORMAT_QMARK_REGEX

    class Counting:
        def sub(self, replacement: str, query: str) -> str:
            calls.append(query)
            return pattern.sub(replacement, query)

    monkeypatch.setattr(base.base, "FORMAT_QMARK_REGEX", Counting())
    for _time in range(3):
        assert base.qmark("SELECT %s") == "SELECT ?"
    assert calls == ["SELECT %s"]

    # A long statement (a bulk INSERT) is converted each time, not kept.
    long = "INSERT INTO t VALUES " + ", ".join(["(%s)"] * 3000)  # noqa: S608 - no input
    assert len(long) > base.LONGEST_KEPT
    for _time in range(2):
        assert base.qmark(long) == long.replace("%s", "?")
    assert calls == ["SELECT %s", long, long]
    assert base._kept.cache_info().currsize == 1
    base._kept.cache_clear()


@on_sqlite
@pytest.mark.django_db
def test_the_project_runs_on_it_and_the_orm_round_trips_through_it():
    assert type(connections["default"]) is base.DatabaseWrapper
    assert connections["default"].vendor == "sqlite"
    user = f.CitizenFactory(first_name="100% Siti")
    found = User.objects.filter(first_name__startswith="100%", pk=user.pk).get()
    assert found.first_name == "100% Siti"
    with connections["default"].cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
        cursor.execute("SELECT %s || '%%'", ["50"])
        assert cursor.fetchone() == ("50%",)
