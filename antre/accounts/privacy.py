"""Who sees a citizen's NIK and phone number, and what the citizen may take
with them (docs/privacy.md is the policy; this module is where it is kept).

* The citizen sees everything we hold about them, and may download it
  (``export_account``).
* Staff see a citizen's NIK masked (``nik_masked``) and the phone masked
  (``mask_phone``). The full value is shown to staff only by an explicit
  reveal (``reveal_personal_data``), and only to someone ``may_reveal``
  allows: the officer of the counter the citizen's ticket is called to or
  served at, or a city admin. Every reveal, and every check of a NIK that a
  citizen shows against our digest (``verify_nik``), writes an
  ``AuditEvent`` naming who, whom, what and when, in the same transaction.
* Personal data leaves the system in a file (an export of the audit log)
  only for a role that may see it (``may_export_personal_data``).

Nothing here knows HTTP: the counter console and the back office call it.
"""

from __future__ import annotations

import datetime as dt
import hmac
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q

from antre.accounts import nik as nik_module
from antre.accounts.models import User
from antre.accounts.onsite_access import can_work_counter
from antre.accounts.scopes import scope_for
from antre.core.audit import record_event
from antre.core.models import AuditEvent

if TYPE_CHECKING:
    from antre.onsite.models import CounterShift, Ticket


class Field(StrEnum):
    PHONE = "phone"
    NIK = "nik"


def mask_phone(phone: object) -> str:
    """An E.164 number with all but the country code, the first three and the
    last two digits hidden: ``+62812******90``; "" for none."""
    text = str(phone or "")
    if not text:
        return ""
    digits = text.lstrip("+")
    prefix = "+" if text.startswith("+") else ""
    # "62" and the operator prefix (812) say which network, not who.
    keep_head = 5 if digits.startswith("62") else 3
    if len(digits) <= keep_head + 2:
        return prefix + "*" * len(digits)
    return prefix + digits[:keep_head] + "*" * (len(digits) - keep_head - 2) + digits[-2:]


def mask_email(email: str) -> str:
    """``b***@contoh.id``: enough to tell two people apart, not to write to them."""
    local, at, domain = str(email).partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def may_export_personal_data(user: object) -> bool:
    """Whether ``user`` may take personal data out in a file (the audit log's
    CSV): city admins only, the controllers of the city's data."""
    return scope_for(user).is_city_admin  # type: ignore[arg-type]


def on_shift_at(viewer: User, counter_id: int) -> bool:
    """Whether ``viewer`` is the officer working the counter now (its open shift)."""
    from antre.onsite.models import CounterShift

    return CounterShift.objects.filter(
        counter_id=counter_id, officer_id=viewer.pk, closed_at__isnull=True
    ).exists()


def sees_citizen_at_counter(viewer: User, open_shift: CounterShift | None) -> bool:
    """Whether the counter console shows ``viewer`` the name of the citizen
    called there: the officer of the counter's open shift (their counter),
    or a city admin."""
    if open_shift is not None and open_shift.officer_id == viewer.pk:
        return True
    return scope_for(viewer).is_city_admin


def is_ticket_holder_at_counter_of(viewer: User, ticket: Ticket) -> bool:
    """The ticket is called to or served at the counter ``viewer`` works now:
    one they may work and whose open shift is theirs (a colleague or an admin
    who may open the same counter's page is not the officer serving there)."""
    from antre.onsite.models import TicketStatus

    if ticket.counter_id is None or ticket.status not in (
        TicketStatus.CALLED,
        TicketStatus.SERVING,
    ):
        return False
    assert ticket.counter is not None
    return can_work_counter(viewer, ticket.counter) and on_shift_at(viewer, ticket.counter_id)


def citizen_of(ticket: Ticket) -> User | None:
    booking = ticket.booking
    if booking is None or booking.citizen is None or not booking.citizen.is_citizen:
        return None
    return booking.citizen


def may_reveal(viewer: User, *, citizen: User, ticket: Ticket | None = None) -> bool:
    """A city admin may reveal any citizen's data (account support); an officer
    only the data of the citizen whose ticket is at their counter now."""
    if not viewer.is_active or not citizen.is_citizen:
        return False
    if scope_for(viewer).is_city_admin:
        return True
    if ticket is None:
        return False
    holder = citizen_of(ticket)
    return (
        holder is not None
        and holder.pk == citizen.pk
        and is_ticket_holder_at_counter_of(viewer, ticket)
    )


class NotAllowed(PermissionError):
    """The viewer may not see this citizen's data (the caller says 403)."""


def _scope_of(ticket: Ticket | None) -> tuple[int | None, int | None]:
    if ticket is None:
        return None, None
    return ticket.site_id, ticket.service.agency_id


def reveal_personal_data(
    *, viewer: User, citizen: User, field: Field, ticket: Ticket | None = None
) -> str:
    """The citizen's full ``field`` for ``viewer``, recorded as an AuditEvent
    (``privacy.revealed``: the viewer is the actor, the citizen the target,
    the field and the ticket in the data; never the value). Raises
    ``NotAllowed`` unless ``may_reveal``. Returns "" when there is nothing
    to show (no phone); that is recorded too: the attempt is what counts."""
    if not may_reveal(viewer, citizen=citizen, ticket=ticket):
        raise NotAllowed
    value = str(citizen.phone or "") if field == Field.PHONE else citizen.nik
    site_id, agency_id = _scope_of(ticket)
    with transaction.atomic():
        record_event(
            action="privacy.revealed",
            actor=viewer,
            target=citizen,
            site_id=site_id,
            agency_id=agency_id,
            data={"field": str(field), "ticket": ticket.pk if ticket is not None else None},
        )
    return value


def verify_nik(*, viewer: User, citizen: User, typed: str, ticket: Ticket | None = None) -> bool:
    """Whether ``typed`` (the NIK on the card the citizen shows) is the NIK of
    the account, compared by keyed digest so the stored NIK is not shown.
    Audited as ``privacy.nik_checked`` with the outcome. Raises ``NotAllowed``
    like ``reveal_personal_data``; a malformed NIK simply does not match."""
    if not may_reveal(viewer, citizen=citizen, ticket=ticket):
        raise NotAllowed
    matches = bool(citizen.nik_digest) and hmac.compare_digest(
        nik_module.digest(typed), citizen.nik_digest or ""
    )
    site_id, agency_id = _scope_of(ticket)
    with transaction.atomic():
        record_event(
            action="privacy.nik_checked",
            actor=viewer,
            target=citizen,
            site_id=site_id,
            agency_id=agency_id,
            data={"match": matches, "ticket": ticket.pk if ticket is not None else None},
        )
    return matches


# The citizen's own copy -------------------------------------------------------


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def audit_events_about(user: User) -> Q:
    """The audit rows done by ``user`` or done to their account, bookings,
    waiting-list entries and tickets."""
    from antre.booking.models import Booking
    from antre.onsite.models import Ticket
    from antre.waitlist.models import WaitlistEntry

    booking_ids = [
        str(pk) for pk in Booking.objects.filter(citizen=user).values_list("pk", flat=True)
    ]
    entry_ids = [
        str(pk) for pk in WaitlistEntry.objects.filter(citizen=user).values_list("pk", flat=True)
    ]
    ticket_ids = [
        str(pk) for pk in Ticket.objects.filter(booking__citizen=user).values_list("pk", flat=True)
    ]
    return (
        Q(actor=user)
        | Q(target_type=User._meta.label, target_id=str(user.pk))
        | Q(target_type=Booking._meta.label, target_id__in=booking_ids)
        | Q(target_type=WaitlistEntry._meta.label, target_id__in=entry_ids)
        | Q(target_type=Ticket._meta.label, target_id__in=ticket_ids)
    )


def export_account(*, user: User) -> dict[str, Any]:
    """Everything antre holds about ``user``, as plain JSON data: the profile
    (with the full NIK and phone: it is theirs), bookings with their tickets,
    waiting-list entries with their offers, API tokens (names, never the
    token), the audit trail about them and the e-mails sent to them.

    Records the export (``account.exported``) in the same transaction. The
    staff who acted on them appear by their role, not by name: the export is
    the citizen's data, not the staff's."""
    from antre.booking.models import Booking
    from antre.notifications.models import OutboxMessage
    from antre.onsite.models import Ticket
    from antre.waitlist.models import WaitlistEntry

    tickets_by_booking: dict[int, list[dict[str, Any]]] = {}
    for ticket in Ticket.objects.filter(booking__citizen=user).select_related(
        "site", "service", "counter"
    ):
        assert ticket.booking_id is not None
        tickets_by_booking.setdefault(ticket.booking_id, []).append(
            {
                "number": ticket.number,
                "site": ticket.site.name,
                "service": ticket.service.name,
                "service_date": _iso(ticket.service_date),
                "status": ticket.status,
                "issued_at": _iso(ticket.issued_at),
                "called_at": _iso(ticket.called_at),
                "finished_at": _iso(ticket.finished_at),
                "counter": ticket.counter.number if ticket.counter is not None else None,
            }
        )
    bookings = [
        {
            "code": booking.display_code,
            "status": booking.status,
            "site": booking.site.name,
            "service": booking.service.name,
            "slot": {"start": _iso(booking.slot.start), "end": _iso(booking.slot.end)},
            "created": _iso(booking.created_at),
            "cancelled_at": _iso(booking.cancelled_at),
            "checked_in_at": _iso(booking.checked_in_at),
            "tickets": tickets_by_booking.get(booking.pk, []),
        }
        for booking in Booking.objects.filter(citizen=user)
        .select_related("site", "service", "slot")
        .order_by("created_at", "pk")
    ]
    waitlist = [
        {
            "id": entry.pk,
            "service": entry.service.name,
            "sites": sorted(site.name for site in entry.sites.all()),
            "earliest": _iso(entry.earliest),
            "latest": _iso(entry.latest),
            "auto_book": entry.auto_book,
            "status": entry.status,
            "created": _iso(entry.created_at),
            "offers": [
                {"slot_start": _iso(offer.slot.start), "status": offer.status}
                for offer in entry.offers.select_related("slot").order_by("pk")
            ],
        }
        for entry in WaitlistEntry.objects.filter(citizen=user)
        .select_related("service")
        .prefetch_related("sites")
        .order_by("created_at", "pk")
    ]
    events = [
        {
            "at": _iso(event.at),
            "action": event.action,
            "by": "Anda"
            if event.actor_id == user.pk
            else ("petugas" if event.actor_id else "sistem"),
            "object": f"{event.target_type}#{event.target_id}" if event.target_type else "",
        }
        for event in AuditEvent.objects.filter(audit_events_about(user)).order_by("at", "pk")
    ]
    emails = (
        [
            {
                "kind": message.kind,
                "subject": message.subject,
                "status": message.status,
                "created": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
            }
            for message in OutboxMessage.objects.filter(recipient__iexact=user.email).order_by(
                "created_at", "pk"
            )
        ]
        if user.email
        else []
    )
    data = {
        "format": "antre-account-export/1",
        "profile": {
            "email": user.email,
            "email_verified_at": _iso(user.email_verified_at),
            "full_name": user.full_name,
            "nik": user.nik,
            "phone": str(user.phone or ""),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "bookings": bookings,
        "waitlist_entries": waitlist,
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created": _iso(token.created_at),
                "expires_at": _iso(token.expires_at),
                "revoked_at": _iso(token.revoked_at),
            }
            for token in user.api_tokens.order_by("created_at", "pk")
        ],
        "audit_events": events,
        "emails": emails,
    }
    with transaction.atomic():
        record_event(action="account.exported", actor=user, target=user)
    return data
