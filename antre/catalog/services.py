"""Writes to the catalog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays
from django.db import transaction

from antre.catalog.models import Closure

# The ``holidays`` package files Indonesia's national holidays under its
# "public" category and the cuti bersama days set by the joint ministerial
# decree (SKB 3 Menteri) under "government"; the names of the latter all begin
# with "Cuti Bersama".
_SOURCES_BY_CATEGORY: dict[str, Closure.Source] = {
    holidays.PUBLIC: Closure.Source.NATIONAL_HOLIDAY,
    holidays.GOVERNMENT: Closure.Source.JOINT_LEAVE,
}

_REASON_LENGTH = Closure._meta.get_field("reason").max_length or 200


def import_national_holidays(*, years: Iterable[int]) -> int:
    """Close every site on Indonesia's national holidays and cuti bersama days
    of ``years``, as the pinned ``holidays`` package lists them, and return how
    many closures were created.

    Each day becomes one nationwide closure (no site, no service) whose source
    is ``NATIONAL_HOLIDAY`` or ``JOINT_LEAVE`` and whose reason is the day's
    Indonesian name. Idempotent: a day already covered by a nationwide closure
    of the same source (one this function made, or a range an admin entered)
    is skipped, so running it twice creates nothing and never rewrites a reason
    an admin edited. Closures are only added, never removed: if a later
    package release moves an estimated date (Islamic holidays are marked
    "perkiraan" until the government fixes them), the old day stays closed
    until an admin deletes it. Two imports running at the same moment could
    both add a day (nothing in the schema forbids it); callers run it from one
    place at a time (the demo seed, a claimed periodic job).

    Slots are not touched; the caller re-materialises them
    (``antre.booking.schedule.materialise_all_slots``) when this returns more
    than zero.
    """
    wanted_years = sorted(set(years))
    if not wanted_years:
        return 0
    wanted: dict[tuple[dt.date, str], str] = {}
    for category, source in _SOURCES_BY_CATEGORY.items():
        # One category at a time: built together, a day that is both a holiday
        # and cuti bersama would come back as one name and lose its source.
        calendar = holidays.Indonesia(years=wanted_years, categories=(category,), language="id")
        for day, name in calendar.items():
            wanted[(day, source.value)] = name[:_REASON_LENGTH]
    if not wanted:
        return 0

    first_day = min(day for day, _source in wanted)
    last_day = max(day for day, _source in wanted)
    with transaction.atomic():
        covered: set[tuple[dt.date, str]] = set()
        existing = Closure.objects.filter(
            site__isnull=True,
            service__isnull=True,
            source__in=[source.value for source in _SOURCES_BY_CATEGORY.values()],
            start_date__lte=last_day,
            end_date__gte=first_day,
        ).values_list("start_date", "end_date", "source")
        for start_date, end_date, existing_source in existing:
            day = max(start_date, first_day)
            while day <= min(end_date, last_day):
                covered.add((day, existing_source))
                day += dt.timedelta(days=1)
        fresh = [
            Closure(
                site=None,
                service=None,
                start_date=day,
                end_date=day,
                reason=reason,
                source=source,
            )
            for (day, source), reason in sorted(wanted.items())
            if (day, source) not in covered
        ]
        Closure.objects.bulk_create(fresh)
    return len(fresh)
