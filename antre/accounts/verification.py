"""E-mail verification: a signed link proves the citizen reads the mailbox.

The token is ``django.core.signing`` over ``{"u": pk, "e": fingerprint, "t":
issued}`` with its own salt, so no other signed value of the project can pass
for it. ``e`` is a keyed fingerprint of the address, not the address: the
token travels in a URL (server logs, browser history) and must not spell out
the e-mail, yet a token issued for one address must not verify another. ``t``
comes from ``antre.core.clock`` rather than the signer's own ``time.time()``,
so the three-day expiry follows the same clock as everything else (and can be
tested on a frozen one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from antre.accounts.errors import InvalidToken
from antre.accounts.models import User
from antre.core import clock
from antre.core.audit import record_event
from antre.notifications.models import OutboxMessage
from antre.notifications.services import notify_account

SALT = "antre.accounts.verify"
MAX_AGE = dt.timedelta(days=3)
# Longer than any token we issue; longer input is refused unparsed.
_MAX_TOKEN_LENGTH = 300


def _signer() -> signing.Signer:
    # "." rather than ":" between payload and signature: every character of
    # the token is then unreserved in a URL and needs no escaping anywhere.
    return signing.Signer(salt=SALT, sep=".")


def _email_fingerprint(email: str) -> str:
    return salted_hmac(f"{SALT}.email", email.lower(), algorithm="sha256").hexdigest()[:20]


@dataclass(frozen=True)
class _Claim:
    user_id: int
    email_fingerprint: str
    issued_at: dt.datetime


def make_verification_token(user: User) -> str:
    """A URL-safe token that verifies ``user``'s current e-mail address for
    ``MAX_AGE`` from now (by ``antre.core.clock``)."""
    payload = {
        "u": user.pk,
        "e": _email_fingerprint(user.email),
        "t": int(clock.now().timestamp()),
    }
    return _signer().sign_object(payload)


def verification_link(user: User) -> str:
    """The absolute link of the verification page, carrying a fresh token."""
    return f"{settings.BASE_URL}/akun/verifikasi/?token={make_verification_token(user)}"


def send_verification_email(*, user: User) -> OutboxMessage | None:
    """Queue a verification e-mail with a fresh link, in the caller's
    transaction; ``None`` (nothing queued) when the address is already
    verified or the account has no e-mail. Earlier links stay valid until
    they expire: whichever the citizen opens first verifies."""
    if user.email_verified_at is not None or not user.email:
        return None
    return notify_account(user=user, event="verify_email", link=verification_link(user))


def _read_claim(token: str) -> _Claim:
    token = token.strip()
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise InvalidToken()
    try:
        payload: Any = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise InvalidToken() from None
    if not isinstance(payload, dict):
        raise InvalidToken()
    user_id, fingerprint, issued = payload.get("u"), payload.get("e"), payload.get("t")
    if type(user_id) is not int or type(issued) is not int or not isinstance(fingerprint, str):
        raise InvalidToken()
    return _Claim(
        user_id=user_id,
        email_fingerprint=fingerprint,
        issued_at=dt.datetime.fromtimestamp(issued, tz=dt.UTC),
    )


def _holder(claim: _Claim) -> User:
    """The active account whose current e-mail the claim was issued for."""
    user = User.objects.filter(pk=claim.user_id, is_active=True).first()
    if user is None or not user.email:
        raise InvalidToken()
    if _email_fingerprint(user.email) != claim.email_fingerprint:
        # Issued for the address the account had before.
        raise InvalidToken()
    return user


def verify_email(*, token: str) -> User:
    """Mark the e-mail address a verification token was issued for as verified.

    Raises ``InvalidToken`` for a tampered token, one older than ``MAX_AGE``,
    an unknown or inactive account, or an account whose address has changed
    since the token was issued. Idempotent: an account already verified is
    returned unchanged, even for an expired token (there is nothing left to
    protect, and an old link clicked twice should not look like a failure).

    The write is an UPDATE guarded on ``email_verified_at IS NULL`` (and the
    same address), so two clicks at once verify, audit and notify once.
    """
    claim = _read_claim(token)
    user = _holder(claim)
    if user.email_verified_at is not None:
        return user
    now = clock.now()
    if now - claim.issued_at > MAX_AGE:
        raise InvalidToken(_("Tautan verifikasi ini sudah kedaluwarsa. Mintalah tautan baru."))
    with transaction.atomic():
        verified = User.objects.filter(
            pk=user.pk, email=user.email, email_verified_at__isnull=True
        ).update(email_verified_at=now)
        if not verified:
            # A concurrent click verified it first, or the address changed.
            return _holder_verified(claim)
        user.email_verified_at = now
        record_event(action="account.email_verified", actor=user, target=user)
        notify_account(user=user, event="email_verified")
    return user


def _holder_verified(claim: _Claim) -> User:
    user = _holder(claim)
    if user.email_verified_at is None:
        raise InvalidToken()  # pragma: no cover (the guard failed for another reason)
    return user
