"""Two views and nothing around them: the floor under antre's booking and
availability endpoints on the same tables."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse

from bench import sql

_TZ = zoneinfo.ZoneInfo("Asia/Jakarta")


def _placeholder() -> str:
    return "%s"  # Django's cursors take %s on every backend


def _now() -> object:
    now = dt.datetime.now(dt.UTC)
    return sql.sqlite_timestamp(now) if connection.vendor == "sqlite" else now


def book(request: HttpRequest) -> JsonResponse:
    """POST {slot_id, citizen_id, site_id, service_id}: the guarded UPDATE and
    the INSERT in one transaction; 201, or 409 ``slot_full``."""
    data = json.loads(request.body)
    code = sql.random_code()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.guarded_update(_placeholder()), [data["slot_id"]])
        if cursor.rowcount != 1:
            return JsonResponse({"code": "slot_full", "status": 409}, status=409)
        cursor.execute(
            sql.insert_booking(_placeholder()),
            sql.booking_values(
                now=_now(),
                code=code,
                citizen_id=data["citizen_id"],
                service_id=data["service_id"],
                site_id=data["site_id"],
                slot_id=data["slot_id"],
            ),
        )
    return JsonResponse({"code": code, "slot": data["slot_id"]}, status=201)


def slots(request: HttpRequest) -> JsonResponse:
    """GET ?site_service=&from=&to=: the open slots between two local dates."""
    first = dt.date.fromisoformat(request.GET["from"])
    last = dt.date.fromisoformat(request.GET["to"])
    start = dt.datetime.combine(first, dt.time.min, tzinfo=_TZ)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=_TZ)
    bounds = (
        [sql.sqlite_timestamp(start), sql.sqlite_timestamp(end)]
        if connection.vendor == "sqlite"
        else [start, end]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT id, start, "end", capacity, booked FROM booking_slot '
            "WHERE site_service_id = %s AND is_open AND start >= %s AND start < %s "
            "ORDER BY start",
            [int(request.GET["site_service"]), *bounds],
        )
        rows = cursor.fetchall()
    items = [
        {
            "id": pk,
            "start": _local(slot_start),
            "end": _local(slot_end),
            "capacity": capacity,
            "remaining": max(capacity - booked, 0),
        }
        for pk, slot_start, slot_end, capacity, booked in rows
    ]
    return JsonResponse({"site_service": int(request.GET["site_service"]), "slots": items})


def _local(value: object) -> str:
    if isinstance(value, str):  # SQLite: naive UTC text
        value = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    assert isinstance(value, dt.datetime)
    return value.astimezone(_TZ).isoformat()
