"""Browser pages' sessions as API credentials, beside bearer tokens.

The kiosk, counter console and board pages are signed in with a Django
session; the On-site API accepts that session as well as a bearer token
(``STAFF_AUTH``). A request carried by a session is what CSRF attacks ride
on, so every unsafe request authenticated by one must carry the CSRF token.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie

from antre.accounts.models import User
from antre.api.auth import bearer_auth
from antre.core.errors import DomainError


class CsrfFailed(DomainError):
    code = "csrf_failed"
    status = 403
    title = _("Pemeriksaan CSRF gagal")
    default_detail = _(
        "Permintaan dengan sesi peramban harus membawa token CSRF (header X-CSRFToken)."
    )


class SessionAuth(APIKeyCookie):
    """The Django session of a signed-in browser page (kiosk, counter console,
    board), as an alternative to a bearer token.

    ninja's own ``SessionAuth`` checks CSRF before it looks at the session, so
    a POST without any credentials would be a 403 instead of a 401; here the
    check comes only once there is a signed-in session to protect. Then an
    unsafe request without a valid CSRF token is 403 ``csrf_failed``."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The session cookie of a signed-in browser page; unsafe requests must send the CSRF "
        "token (X-CSRFToken header)."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError as error:
            raise CsrfFailed() from error

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if isinstance(user, User) and user.is_authenticated and user.is_active:
            return user
        return None


session_auth = SessionAuth()
# Devices and staff: a bearer token, or a browser page's session.
STAFF_AUTH = [bearer_auth, session_auth]
