"""Unknown codes typed at a kiosk are audited, and after too many the kiosk
pauses check-in by code for the window (docs/security.md)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from antre.core.models import AuditEvent
from antre.core.ratelimits import LOOKUP_FAILED
from antre.onsite.models import Ticket
from antre.onsite.tests.conftest import Hall

CHECK_IN = "/kiosk/mpp/check-in/"


def test_unknown_codes_are_audited_then_limited_per_device(
    kiosk_client: Client, hall: Hall, settings: Any
) -> None:
    settings.ANTRE_RATE_LIMITS = settings.ANTRE_RATE_LIMITS | {
        "lookup.account": "1/h",  # a citizen's budget is not the kiosk's
        "lookup.kiosk": "2/h",
    }
    for guess in ("ZZZZ-ZZZZZ", "7K3M-9QXZ4"):
        response = kiosk_client.post(CHECK_IN, {"code": guess})
        assert 'data-problem="unknown_code"' in response.content.decode()
    events = AuditEvent.objects.filter(action=LOOKUP_FAILED)
    assert events.count() == 2
    assert {event.site_id for event in events} == {hall.site.pk}
    assert {event.data["kind"] for event in events} == {"booking_code"}

    limited = kiosk_client.post(CHECK_IN, {"code": "ZZZZ-ZZZZZ"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    page = limited.content.decode()
    assert "Terlalu banyak kode yang tidak dikenal di kiosk ini" in page
    assert 'href="/kiosk/mpp/"' in page
    assert not Ticket.objects.exists()


def test_a_nik_typed_as_a_code_is_masked_in_the_log(kiosk_client: Client, hall: Hall) -> None:
    """Citizens type what they have: a NIK in the code box must not stay in
    the audit log (docs/privacy.md: the log never holds a NIK)."""
    response = kiosk_client.post(CHECK_IN, {"code": "3275014101900001"})

    assert 'data-problem="unknown_code"' in response.content.decode()
    event = AuditEvent.objects.get(action=LOOKUP_FAILED)
    assert "3275014101900001" not in str(event.data)
    assert event.data["value"] == "327501********01"
