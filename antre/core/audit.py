from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django.db import models

from antre.core import clock
from antre.core.models import AuditEvent

if TYPE_CHECKING:
    from antre.accounts.models import User

# What a JSON column cannot hold everywhere: PostgreSQL refuses NUL in jsonb
# and text, and UTF-8 cannot encode a lone surrogate (JSON can carry both).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """``value`` with every string made storable: NUL and lone surrogates
    become U+FFFD. Audit data quotes what callers sent, which may be anything."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value


def record_event(
    *,
    action: str,
    actor: User | None = None,
    target: models.Model | None = None,
    site_id: int | None = None,
    agency_id: int | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one audit row. Call inside the transaction of the change it records,
    so that the change and its record commit or roll back together; or, for a
    change whose record the worker writes later (``antre.booking.announce``),
    with ``at`` = when the change was made."""
    return AuditEvent.objects.create(
        at=at if at is not None else clock.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(actor.get_username() if actor is not None and actor.pk else "sistem"),
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        site_id=site_id,
        agency_id=agency_id,
        data=storable(data or {}),
    )
