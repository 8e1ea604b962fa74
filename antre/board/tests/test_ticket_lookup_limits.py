"""Guessing live-ticket ids: every unknown id is audited, and after too many
from one address the page answers 429 (docs/security.md)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from antre.core.models import AuditEvent
from antre.core.ratelimits import LOOKUP_FAILED
from antre.onsite.services import issue_walk_in
from antre.onsite.tests.conftest import Hall


def test_unknown_ids_are_audited_then_limited_per_address(hall: Hall, settings: Any) -> None:
    settings.ANTRE_RATE_LIMITS = settings.ANTRE_RATE_LIMITS | {"lookup.ip": "2/h"}
    ticket = issue_walk_in(site=hall.site, service=hall.service_a, actor=None)
    guesser = Client(REMOTE_ADDR="198.51.100.70")
    # Known ids are no guesses: they never count.
    for _ in range(3):
        assert guesser.get(f"/antrean/{ticket.public_id}/").status_code == 200
    assert guesser.get("/antrean/tebakan-1/").status_code == 404
    assert guesser.get("/antrean/tebakan-2/keadaan/").status_code == 404
    values = list(
        AuditEvent.objects.filter(action=LOOKUP_FAILED).values_list("data__value", flat=True)
    )
    assert sorted(values) == ["tebakan-1", "tebakan-2"]

    limited = guesser.get(f"/antrean/{ticket.public_id}/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Terlalu banyak percobaan" in limited.content.decode()
    # A phone on another network still follows its ticket.
    assert (
        Client(REMOTE_ADDR="198.51.100.71").get(f"/antrean/{ticket.public_id}/").status_code == 200
    )
