"""Bearer-token authentication for the API (``Authorization: Bearer <token>``).

Tokens are made by ``POST /auth/token`` (citizens), in the back office or with
``antre token create`` (staff and devices); see ``antre.accounts.tokens``. A
missing, unknown, revoked or expired token is a 401 ``unauthenticated``
problem with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from antre.accounts.models import User
from antre.accounts.tokens import authenticate_token

_UNSET = object()


def bearer_user(request: HttpRequest) -> User | None:
    """The active user of the request's bearer token, looked up once per request
    (the idempotency middleware and the operation's auth both ask)."""
    cached = getattr(request, "_antre_bearer_user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    header = request.headers.get("Authorization", "")
    scheme, _space, raw = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and raw.strip():
        found = authenticate_token(raw.strip())
        user = found if found is not None and found.is_active else None
    request._antre_bearer_user = user  # type: ignore[attr-defined]
    return user


class BearerAuth(HttpBearer):
    """Sets ``request.auth`` to the token's user; ninja answers 401 when it returns None."""

    openapi_description = (
        "A token from POST /auth/token (citizens), the back office or "
        "`antre token create --user NAME` (staff and devices)."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token.strip():
            return None
        return bearer_user(request)


bearer_auth = BearerAuth()
