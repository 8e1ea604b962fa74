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


class BearerAuth(HttpBearer):
    """Sets ``request.auth`` to the token's user; ninja answers 401 when it returns None."""

    openapi_description = (
        "A token from POST /auth/token (citizens), the back office or "
        "`antre token create --user NAME` (staff and devices)."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        user = authenticate_token(token)
        if user is None or not user.is_active:
            return None
        return user


bearer_auth = BearerAuth()
