"""API bearer tokens: made once, stored only as a SHA-256 digest.

A token is 256 random bits, URL-safe. Only its digest is stored, so a leaked
table does not give the tokens; SHA-256 without a salt or key is enough here
because the token is random and long, not a password someone chose. The first
8 characters are kept as ``prefix`` so that a person can tell their tokens
apart in lists.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import secrets
import threading
import time

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q

from antre.accounts.models import ApiToken, User
from antre.core import clock, rows

logger = logging.getLogger(__name__)

PREFIX_LENGTH = 8
# Longer than any token we issue; a longer header is refused before hashing.
_MAX_TOKEN_LENGTH = 200
# ``last_used_at`` is a hint for people, not an audit trail: write it at most
# this often so that a busy integration does not turn every request into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class UseLog:
    """Token uses noted in memory and written together, every
    ``ANTRE_TOKEN_USES_FLUSH_MS`` per process (at once when 0, the default
    under tests), so that a citizen's first request with a new token, such as
    the booking right after signing in, is not a write of its own: on SQLite
    that is a second turn at the one write lock per booking. A process that
    dies loses the uses of its last moments: a hint, not a record."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[int, dt.datetime] = {}
        self.written_at = time.monotonic()

    def note(self, token_id: int, at: dt.datetime) -> None:
        interval = settings.ANTRE_TOKEN_USES_FLUSH_MS / 1000
        with self.lock:
            self.pending[token_id] = at
            if time.monotonic() - self.written_at < interval:
                return
        self.flush()

    def flush(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, {}
            self.written_at = time.monotonic()
        if not pending:
            return
        # One statement, at the latest use: the others are at most one flush
        # interval earlier, well inside LAST_USED_RESOLUTION.
        at = max(pending.values())
        try:
            # Guarded so that concurrent processes write it once, not once each.
            ApiToken.objects.filter(pk__in=list(pending)).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=at - LAST_USED_RESOLUTION)
            ).update(last_used_at=at)
        except DatabaseError:
            logger.warning("could not record the use of %d API tokens", len(pending))


USES = UseLog()
atexit.register(USES.flush)


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


_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_TOKEN_AND_USER = rows.Prepared(
    lambda digest: ApiToken.objects.filter(digest=digest).values_list(
        "id",
        "revoked_at",
        "expires_at",
        "last_used_at",
        *(f"user__{name}" for name in _USER_FIELDS),
    )
)


def authenticate_token(raw: str) -> User | None:
    """The active user a token belongs to, or ``None`` for an unknown, revoked
    or expired token or an inactive user. Records the use (coarsely, see
    ``LAST_USED_RESOLUTION`` and ``UseLog``)."""
    raw = raw.strip()
    if not raw or len(raw) > _MAX_TOKEN_LENGTH:
        return None
    now = clock.now()
    # By the unique digest alone, the rest checked here: the simplest query
    # on a path every API request takes, compiled once (antre.core.rows).
    found = _TOKEN_AND_USER.rows(token_digest(raw))
    if not found:
        return None
    (token_id, revoked_at, expires_at, last_used_at, *user_values) = found[0]
    user = User.from_db("default", _USER_FIELDS, user_values)
    if revoked_at is not None or not user.is_active:
        return None
    if expires_at is not None and expires_at <= now:
        return None
    if last_used_at is None or last_used_at <= now - LAST_USED_RESOLUTION:
        USES.note(token_id, now)
    return user


def revoke_api_token(*, token: ApiToken) -> bool:
    """Revoke ``token``; ``False`` if it was already revoked. Idempotent."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return bool(revoked)
