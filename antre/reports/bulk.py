"""Inserting many rows fast: ``executemany`` of plain INSERTs.

``bulk_create`` prepares every value through the query compiler and builds a
model instance per row; for the demo history's tens of thousands of ticket
events that was most of the seeding time. ``insert_rows`` skips both, and is
meant for data no one else writes at the same time (the demo's past)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

BATCH = 5000


def insert_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT ``rows``, each the values of the fields ``names`` (foreign keys
    by field name, values as ids); every other concrete field but the primary
    key gets its default, drawn per row. Dates and times go through the
    backend's own adapters, so SQLite and PostgreSQL store them as the ORM
    would. Nothing is returned: read the rows back by a natural key."""
    named: list[Field[Any, Any]] = []
    for name in names:
        model_field = model._meta.get_field(name)
        assert isinstance(model_field, Field)
        named.append(model_field)
    defaulted = [
        model_field
        for model_field in model._meta.concrete_fields
        if not model_field.primary_key and model_field not in named
    ]
    ops = connection.ops
    adapters: list[Callable[[Any], Any] | None] = []
    for model_field in named:
        kind = model_field.get_internal_type()
        if kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        else:
            adapters.append(None)
    fields = [*named, *defaulted]
    columns = ", ".join(ops.quote_name(str(model_field.column)) for model_field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = ops.quote_name(model._meta.db_table)
    # Table and column names come from the models; the values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608

    def prepared(row: Sequence[Any]) -> list[Any]:
        values = [
            value if adapt is None or value is None else adapt(value)
            for adapt, value in zip(adapters, row, strict=True)
        ]
        values += [
            model_field.get_db_prep_save(model_field.get_default(), connection)
            for model_field in defaulted
        ]
        return values

    with connection.cursor() as cursor:
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(prepared(row))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
