"""How the back office shows times and personal data."""

from __future__ import annotations

import datetime as dt

from django.utils import formats

from antre.catalog.models import Site


def site_time(instant: dt.datetime | None, site: Site) -> str:
    """``instant`` as the wall clock at ``site`` reads it, with the zone's
    abbreviation (``02-06-2026 09:30 WIB``): a slot at a WITA site is shown in
    WITA whatever the server's or the viewer's zone."""
    if instant is None:
        return "-"
    local = instant.astimezone(site.tzinfo)
    return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} {local.tzname() or ''}".strip()
