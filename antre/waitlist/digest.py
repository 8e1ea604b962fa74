"""The daily deadline digest: each agency admin hears, once a day, about the
services of their agency whose waiting citizens will miss their deadline at
the present capacity (the waiting-list issue, item 8). Nothing is sent when
nobody will miss one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from antre.accounts.models import Role, StaffRole, User
from antre.catalog.models import Agency, Service
from antre.core import clock
from antre.notifications.emails import DigestRow
from antre.notifications.models import OutboxMessage
from antre.notifications.services import DEADLINE_DIGEST, notify_deadline_digest
from antre.waitlist.forecast import ServiceForecast, forecast_services

# Sent in the morning, when an admin can still act on it that day.
SEND_FROM = dt.time(7, 0)


def digest_rows(outlooks: list[ServiceForecast]) -> list[DigestRow]:
    return [
        DigestRow(
            service=outlook.service.name,
            waiting=len(outlook.waiting),
            will_miss=len(outlook.missing),
            misses_by_date=outlook.misses_by_date(),
            extra_seats_per_day=outlook.extra_seats_per_day,
        )
        for outlook in outlooks
        if outlook.missing
    ]


def admins_of(agency: Agency) -> list[User]:
    """The agency's admins (at every site or at one) who can read an e-mail."""
    return list(
        User.objects.filter(
            pk__in=StaffRole.objects.filter(role=Role.AGENCY_ADMIN, agency=agency).values("user"),
            is_active=True,
        )
        .exclude(email="")
        .order_by("pk")
    )


def already_sent(agency: Agency, day: dt.date) -> set[str]:
    return set(
        OutboxMessage.objects.filter(
            kind=DEADLINE_DIGEST, context__agency=agency.pk, context__day=day.isoformat()
        ).values_list("recipient", flat=True)
    )


def send_deadline_digests(*, force: bool = False) -> int:
    """Queue today's digest for every agency admin whose agency has citizens
    who will miss their deadline; the number of e-mails queued. Safe to run
    any number of times a day: one digest per admin and day. Before 07:00 in
    the city's time zone it waits (unless ``force``)."""
    local_now = clock.localnow(settings.TIME_ZONE)
    if not force and local_now.time() < SEND_FROM:
        return 0
    day = local_now.date()
    queued = 0
    for agency in Agency.objects.order_by("pk"):
        services = Service.objects.filter(agency=agency, is_active=True).order_by("name")
        rows = digest_rows(forecast_services(services))
        if not rows:
            continue
        with transaction.atomic():
            sent = already_sent(agency, day)
            for admin in admins_of(agency):
                if admin.email in sent:
                    continue
                notify_deadline_digest(recipient=admin, agency=agency, day=day, rows=rows)
                queued += 1
    return queued
