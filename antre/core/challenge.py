"""The proof-of-work challenge (ALTCHA) that makes mass sign-ups and
bookings by script expensive, without a third party or a puzzle for people.

The server signs a challenge (HMAC, ``settings.ANTRE_CHALLENGE_HMAC_KEY``)
with an expiry; the browser's widget (altcha.min.js, from our static files)
finds the number that solves it and sends the solution with the form. A
solution is accepted once: its challenge is remembered in the default cache
until it expires, so a replay is refused even on another web process when
the cache is Redis. Expiry is checked on ``antre.core.clock``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any, cast

import altcha
from altcha.altcha import PayloadType
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from antre.core import clock
from antre.core.errors import DomainError

USED_PREFIX = "antre:challenge-used:"


class ChallengeFailed(DomainError):
    code = "challenge_failed"
    status = 422
    title = _("Verifikasi anti-robot gagal")
    default_detail = _(
        "Verifikasi anti-robot belum selesai atau tidak sah. Tunggu sampai tanda centang "
        "muncul, lalu kirim lagi."
    )
    replayable = False


MISSING = _(
    "Verifikasi anti-robot belum selesai. Tunggu sampai tanda centang muncul, lalu kirim lagi."
)
EXPIRED = _("Verifikasi anti-robot sudah kedaluwarsa. Muat ulang halaman, lalu kirim lagi.")
REUSED = _("Verifikasi anti-robot ini sudah pernah dipakai. Muat ulang halaman, lalu kirim lagi.")


def issue_challenge() -> dict[str, Any]:
    """A new signed challenge, as the widget's ``challengejson`` expects it."""
    expires = clock.now() + dt.timedelta(seconds=settings.ANTRE_CHALLENGE_SECONDS)
    challenge = altcha.create_challenge(
        altcha.ChallengeOptions(
            hmac_key=settings.ANTRE_CHALLENGE_HMAC_KEY,
            max_number=settings.ANTRE_CHALLENGE_MAX_NUMBER,
            expires=expires,
        )
    )
    return {
        "algorithm": challenge.algorithm,
        "challenge": challenge.challenge,
        "maxnumber": challenge.max_number,
        "salt": challenge.salt,
        "signature": challenge.signature,
    }


def _decode(payload: str) -> PayloadType | None:
    try:
        decoded = json.loads(base64.b64decode(payload, validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return cast("PayloadType", decoded) if isinstance(decoded, dict) else None


def verify_solution(payload: str) -> None:
    """Accept a solution once; raise ``ChallengeFailed`` (with what to do)
    when it is missing, forged, expired or already used."""
    payload = (payload or "").strip()
    if not payload:
        raise ChallengeFailed(MISSING)
    decoded = _decode(payload)
    if decoded is None:
        raise ChallengeFailed()
    verified, _error = altcha.verify_solution(
        decoded, settings.ANTRE_CHALLENGE_HMAC_KEY, check_expires=False
    )
    if not verified:
        raise ChallengeFailed()
    expires = altcha.extract_params(decoded).get("expires")
    try:
        expires_at = int(expires[0]) if expires else 0
    except ValueError:
        expires_at = 0
    remaining = expires_at - int(clock.now().timestamp())
    if remaining <= 0:
        raise ChallengeFailed(EXPIRED)
    # add() is atomic in every backend: of two concurrent submissions of one
    # solution, exactly one is first.
    if not cache.add(USED_PREFIX + str(decoded["challenge"]), 1, timeout=remaining + 60):
        raise ChallengeFailed(REUSED)
