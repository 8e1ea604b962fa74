"""Periodic jobs of the notifications app (discovered by antre.core.periodic)."""

from __future__ import annotations

import datetime as dt

from antre.core.periodic import periodic
from antre.notifications.delivery import deliver_due_messages


@periodic(every=dt.timedelta(minutes=1))
def deliver_outbox() -> None:
    """Retries and lost tasks: every due pending message goes, and deliveries
    whose worker died are released and go again."""
    deliver_due_messages()
