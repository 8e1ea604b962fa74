"""One-row INSERTs for the booking's write transaction, without compiling the
statement on every call.

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
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Field, Model, signals
from django.db.models.sql import InsertQuery

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


def insert[M: Model](obj: M) -> M:
    """INSERT ``obj`` (a new row with an auto primary key) and set its key."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    statement = _STATEMENTS.get((model, alias))
    if statement is None:
        statement = _STATEMENTS[(model, alias)] = _Statement(obj, alias)
    expression = any(
        hasattr(getattr(obj, field.attname, None), "resolve_expression")
        for field in statement.fields
    )
    if not statement.usable or obj.pk is not None or expression:
        obj.save(force_insert=True, using=alias)
        return obj
    connection = connections[alias]
    if isinstance(obj, TimestampedModel):
        obj.updated_at = clock.now()
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    values = [field.pre_save(obj, add=True) for field in statement.fields]
    params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(statement.fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        [row] = connection.ops.fetch_returned_rows(cursor, statement.returning_params)
    obj.pk = row[statement.key_index]
    obj._state.adding = False
    obj._state.db = alias
    signals.post_save.send(
        sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias
    )
    return obj
