"""API bearer tokens: made once, stored only as a SHA-256 digest.

A token is 256 random bits, URL-safe. Only its digest is stored, so a leaked
table does not give the tokens; SHA-256 without a salt or key is enough here
because the token is random and long, not a password someone chose. The first
8 characters are kept as ``prefix`` so that a person can tell their tokens
apart in lists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q

from antre.accounts.models import ApiToken, User
from antre.core import clock

PREFIX_LENGTH = 8
# Longer than any token we issue; a longer header is refused before hashing.
_MAX_TOKEN_LENGTH = 200
# ``last_used_at`` is a hint for people, not an audit trail: write it at most
# this often so that a busy integration does not turn every request into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_token(
    *, user: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; return the row and the token itself, which is
    shown once and never stored. ``expires_at=None``: valid until revoked."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=token_digest(raw),
        prefix=raw[:PREFIX_LENGTH],
        expires_at=expires_at,
    )
    return token, raw


def authenticate_token(raw: str) -> User | None:
    """The active user a token belongs to, or ``None`` for an unknown, revoked
    or expired token or an inactive user. Records the use (coarsely, see
    ``LAST_USED_RESOLUTION``)."""
    raw = raw.strip()
    if not raw or len(raw) > _MAX_TOKEN_LENGTH:
        return None
    now = clock.now()
    # By the unique digest alone, the rest checked here: the simplest query
    # on a path every API request takes.
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        # Guarded so that concurrent requests write it once, not once each.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user


def revoke_api_token(*, token: ApiToken) -> bool:
    """Revoke ``token``; ``False`` if it was already revoked. Idempotent."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return bool(revoked)
