"""The booking path's statements, compiled once instead of on every call.

``insert`` and ``Insert`` (one-row INSERTs) and ``Prepared`` (SELECTs and UPDATEs built as
querysets, run with new values).

``Model.save()`` builds and compiles its INSERT afresh each time; on the
booking path that is most of a row's cost, and on SQLite it is spent while
the transaction holds the database's one write lock. ``insert(obj)`` has
Django compile the statement once per model and database (the same SQL
``save()`` runs) and afterwards only converts the values, with each field's
own ``pre_save`` and ``get_db_prep_save``, so the stored row is the one
``save()`` would store. ``pre_save``/``post_save`` are sent as ``save()``
sends them. A model with a ``save()`` of its own (other than
``TimestampedModel``'s, whose one effect is done here too), fields that need
a placeholder of their own, and values that are SQL expressions take
``save()`` itself.

On PostgreSQL these statements also run as prepared statements
(``cursor``): the server parses and plans each once per connection instead
of on every booking, which measured a quarter of PostgreSQL's CPU per
booking. The rest of the ORM keeps Django's client-side binding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model, signals
from django.db.models.sql import InsertQuery, UpdateQuery

from antre.core import clock
from antre.core.models import TimestampedModel


class _Statement:
    """The compiled INSERT of one model on one database."""

    def __init__(self, obj: Model, alias: str) -> None:
        meta = obj._meta
        connection = connections[alias]
        self.fields: list[Field[Any, Any]] = [
            field
            for field in meta.local_concrete_fields
            if not field.generated and field is not meta.auto_field
        ]
        # The key, and the fields with a database default (given a value
        # here, the database returns that same value).
        returning = list(meta.db_returning_fields)
        query = InsertQuery(type(obj))
        query.insert_values(self.fields, [obj])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = returning
        [(self.sql, params)] = compiler.as_sql()
        self.returning_params = getattr(compiler, "returning_params", ())
        self.key_index = returning.index(meta.auto_field) if meta.auto_field in returning else -1
        self.usable = (
            len(params) == len(self.fields)
            and self.key_index >= 0
            and connection.features.can_return_columns_from_insert
            # A placeholder of the field's own (BinaryField's) only where it
            # is the plain one for every value.
            and all(
                field.get_placeholder_sql(value, compiler, connection) == ("%s", (value,))
                for field in self.fields
                if hasattr(field, "get_placeholder_sql")
                for value in (None, b"", "")
            )
            and type(obj).save in (Model.save, TimestampedModel.save)
        )


_STATEMENTS: dict[tuple[type[Model], str], _Statement] = {}


def cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor for these statements: on PostgreSQL one whose statements are
    prepared (psycopg's server-side binding, each statement parsed and
    planned once per connection), wrapped as Django wraps its own, so that
    query logging and execute wrappers see them; elsewhere (and with
    prepared statements turned off, ``ANTRE_DB_PREPARED=0``) Django's."""
    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        return connection.cursor()
    # What BaseDatabaseWrapper._cursor() does, with psycopg's server-binding
    # cursor in place of Django's client-binding one.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = _preparing_cursor_class()(connection.connection)
        wrapped: CursorWrapper = connection._prepare_cursor(raw)  # type: ignore[attr-defined]
        return wrapped


_PREPARING_CURSOR: type[Any] | None = None


def _preparing_cursor_class() -> type[Any]:
    """psycopg's server-binding cursor, every statement prepared at its
    first run (psycopg keeps them per connection, the last 100)."""
    global _PREPARING_CURSOR
    if _PREPARING_CURSOR is None:
        import psycopg

        class PreparingCursor(psycopg.Cursor[Any]):
            def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
                kwargs["prepare"] = True
                return super().execute(query, params, **kwargs)

        _PREPARING_CURSOR = PreparingCursor
    return _PREPARING_CURSOR


class Insert[M: Model]:
    """The INSERT of ``obj`` (a new row with an auto primary key), its values
    converted now and the statement run later by ``run()``: on the booking
    path the converting is done before the write transaction begins, and only
    the statement runs inside it. ``obj`` must not change in between."""

    def __init__(self, obj: M) -> None:
        model = type(obj)
        self.obj = obj
        self.alias = alias = router.db_for_write(model, instance=obj)
        statement = _STATEMENTS.get((model, alias))
        if statement is None:
            statement = _STATEMENTS[(model, alias)] = _Statement(obj, alias)
        expression = any(
            hasattr(getattr(obj, field.attname, None), "resolve_expression")
            for field in statement.fields
        )
        self.statement: _Statement | None = None
        self.params: list[Any] = []
        if not statement.usable or obj.pk is not None or expression:
            return  # run() saves it
        self.statement = statement
        connection = connections[alias]
        if isinstance(obj, TimestampedModel):
            obj.updated_at = clock.now()
        signals.pre_save.send(
            sender=model, instance=obj, raw=False, using=alias, update_fields=None
        )
        values = [field.pre_save(obj, add=True) for field in statement.fields]
        self.params = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(statement.fields, values, strict=True)
        ]

    def run(self) -> M:
        """Run the INSERT, set the object's key and send ``post_save``."""
        obj, alias, statement = self.obj, self.alias, self.statement
        if statement is None:
            obj.save(force_insert=True, using=alias)
            return obj
        connection = connections[alias]
        with cursor(connection) as run:
            run.execute(statement.sql, self.params)
            [row] = connection.ops.fetch_returned_rows(run, statement.returning_params)
        obj.pk = row[statement.key_index]
        obj._state.adding = False
        obj._state.db = alias
        signals.post_save.send(
            sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=alias
        )
        return obj


def insert[M: Model](obj: M) -> M:
    """INSERT ``obj`` (a new row with an auto primary key) and set its key."""
    return Insert(obj).run()


# Stand-ins for the varying values while Django compiles a Prepared statement:
# values no real row has, found again among the compiled parameters. The int
# is inside every integer column's range: Django drops (or empties) a
# comparison with a value outside it, which would compile a different query.
_MARK_INT = 2_147_480_647
_MARK_TIME = dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


class Prepared:
    """A query Django compiles once per database and process, then runs with
    new values: on the booking path, compiling is most of a statement's cost.

    ``build(*markers)`` returns the queryset (or, for ``update``, the
    queryset and the values to set) with each varying value in its place;
    the values are ints, strings or aware datetimes, converted as Django
    converts them for a comparison with a column of their kind. Rows come
    back through the fields' own converters, as the queryset would give them.
    """

    def __init__(self, build: Callable[..., Any]) -> None:
        self.build = build
        self.compiled: dict[tuple[str, tuple[type, ...]], _Compiled] = {}

    def rows(self, *values: Any, using: str = "default") -> list[tuple[Any, ...]]:
        """The rows of a ``values_list`` queryset."""
        compiled = self._compiled(values, using, update=False)
        connection = connections[using]
        with cursor(connection) as run:
            run.execute(compiled.sql, compiled.params(values, connection))
            fetched = run.fetchall()
        return [compiled.convert(row, connection) for row in fetched]

    def instances(self, *values: Any, using: str = "default") -> list[Model]:
        """The model instances of a plain queryset (no select_related)."""
        compiled = self._compiled(values, using, update=False)
        model = compiled.model
        return [
            model.from_db(using, compiled.attnames, row) for row in self.rows(*values, using=using)
        ]

    def update(self, *values: Any, using: str = "default") -> int:
        """Run the UPDATE; the number of rows changed."""
        compiled = self._compiled(values, using, update=True)
        connection = connections[using]
        with cursor(connection) as run:
            run.execute(compiled.sql, compiled.params(values, connection))
            return int(run.rowcount)

    def _compiled(self, values: tuple[Any, ...], using: str, *, update: bool) -> _Compiled:
        key = (using, tuple(type(value) for value in values))
        compiled = self.compiled.get(key)
        if compiled is None:
            compiled = self.compiled[key] = _Compiled(self.build, values, using, update=update)
        return compiled


class _Compiled:
    def __init__(
        self, build: Callable[..., Any], values: tuple[Any, ...], using: str, *, update: bool
    ) -> None:
        connection = connections[using]
        markers = [_marker(index, value) for index, value in enumerate(values)]
        built = build(*markers)
        if update:
            queryset, changes = built
            query = queryset.query.chain(UpdateQuery)
            query.add_update_values(changes)
        else:
            queryset, query = built, built.query
        self.model = queryset.model
        compiler = query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.params_template = list(params)
        prepared = [_prep(marker, connection) for marker in markers]
        self.slots = []
        for marker in prepared:
            found = [i for i, param in enumerate(self.params_template) if param == marker]
            if len(found) != 1:
                raise ValueError(f"Prepared: a value appears {len(found)} times in {self.sql}")
            self.slots.append(found[0])
        self.converters: list[tuple[int, list[Any], Any]] = []
        self.attnames: list[str] = []
        if not update:
            selected = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
            self.converters = [
                (position, converters, expression)
                for position, (converters, expression) in compiler.get_converters(selected).items()
            ]
            self.attnames = [
                getattr(getattr(column, "target", None), "attname", "") for column in selected
            ]

    def params(self, values: tuple[Any, ...], connection: Any) -> list[Any]:
        params = list(self.params_template)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = _prep(value, connection)
        return params

    def convert(self, row: tuple[Any, ...], connection: Any) -> tuple[Any, ...]:
        if not self.converters:
            return tuple(row)
        converted = list(row)
        for position, converters, expression in self.converters:
            value = converted[position]
            for converter in converters:
                value = converter(value, expression, connection)
            converted[position] = value
        return tuple(converted)


def _marker(index: int, value: Any) -> Any:
    if isinstance(value, bool):
        raise TypeError("Prepared: a varying bool would be found among the constants")
    if isinstance(value, int):
        return _MARK_INT - index
    if isinstance(value, str):
        return f"\x00prepared-{index}"
    if isinstance(value, dt.datetime):
        return _MARK_TIME + dt.timedelta(microseconds=index)
    raise TypeError(f"Prepared: a varying {type(value).__name__} is not supported")


def _prep(value: Any, connection: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
