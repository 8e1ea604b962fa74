"""The one mechanism for scarce capacity (STYLE.md rule 3).

A seat in a slot, a walk-in from a day's quota, a place in the room: each is a
counter on a row with a limit. Taking one is a single guarded UPDATE

    UPDATE t SET used = used + 1 WHERE id = %s AND used < limit [AND ...]

whose row count says whether it was taken. The database evaluates the guard
under the row's write lock, so concurrent takers are serialised on that one
row and the counter can never pass the limit (a read-then-write would: see
../shared/STACK.md, 5,088 bookings for 5,000 seats). Call it late in the
transaction, after everything that may still fail cheaply, so the hot row's
lock is held as briefly as possible. Releasing never waits on a check.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import Combinable


def capacity_guard(
    model: type[models.Model],
    pk: Any,
    *,
    used: str,
    limit: str | int | Combinable,
    amount: int = 1,
    condition: Q | None = None,
) -> tuple[QuerySet[Any], dict[str, Any]]:
    """The guarded UPDATE of ``take_capacity`` as its queryset and changes,
    for a caller that compiles it once (``antre.core.rows.Prepared``): run it
    and check that it changed one row."""
    bound = F(limit) if isinstance(limit, str) else limit
    guard = Q(pk=pk) & Q(**{f"{used}__lte": bound - amount})
    if condition is not None:
        guard &= condition
    return model._default_manager.filter(guard), {used: F(used) + amount}


def take_capacity(
    model: type[models.Model],
    pk: Any,
    *,
    used: str,
    limit: str | int | Combinable,
    amount: int = 1,
    condition: Q | None = None,
) -> bool:
    """Add ``amount`` to ``used`` on row ``pk`` if it stays within ``limit``
    (a field name, a number, or an expression over the row such as
    ``F("capacity") - F("held")``) and ``condition`` holds; True if taken."""
    rows, changes = capacity_guard(
        model, pk, used=used, limit=limit, amount=amount, condition=condition
    )
    return rows.update(**changes) == 1


def release_capacity(model: type[models.Model], pk: Any, *, used: str, amount: int = 1) -> bool:
    """Give back ``amount``; never below zero. True if the row was changed."""
    changed = model._default_manager.filter(pk=pk, **{f"{used}__gte": amount}).update(
        **{used: F(used) - amount}
    )
    return changed == 1
