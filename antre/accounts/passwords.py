"""Password strength and password-reset links.

Reset tokens are Django's (``PasswordResetTokenGenerator``): an HMAC over the
user's pk, password hash, last login and e-mail, with the issue time. Setting
a new password (or logging in) changes the hash input, so a link works once;
``PASSWORD_RESET_TIMEOUT`` (one hour) bounds its life. The only change is the
clock: the token's age is read from ``antre.core.clock`` so that a frozen
clock can prove the expiry.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from antre.accounts.errors import InvalidToken, WeakPassword
from antre.accounts.models import User
from antre.core import clock

# Longer than any uidb64 or token we issue; longer input is refused unparsed.
_MAX_PART_LENGTH = 100


class ClockedPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    # Our own salt: a token from Django's default generator (whose clock is the
    # process's local time) is never accepted here, nor ours there.
    key_salt = "antre.accounts.passwords.ClockedPasswordResetTokenGenerator"

    def _now(self) -> dt.datetime:
        # The base class subtracts a naive 2001-01-01 from this. Naive UTC
        # keeps the count independent of the process's time zone.
        return clock.now().astimezone(dt.UTC).replace(tzinfo=None)


password_reset_tokens = ClockedPasswordResetTokenGenerator()


# Every form that asks for a password says it must not be like the citizen's
# name: the name is compared as Django compares the e-mail (whole and word by
# word), whatever AUTH_PASSWORD_VALIDATORS lists.
_name_similarity = password_validation.UserAttributeSimilarityValidator(
    user_attributes=("full_name",)
)


def check_password_strength(password: str, *, user: User) -> None:
    """Raise ``WeakPassword`` with every failed rule of
    ``AUTH_PASSWORD_VALIDATORS`` and of the name rule, in the active language,
    joined into one sentence list. ``user`` may be unsaved: the similarity
    rules compare the password with its username, e-mail and full name."""
    messages: list[str] = []
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        messages.extend(str(message) for message in error.messages)
    try:
        _name_similarity.validate(password, user=user)
    except ValidationError as error:
        messages.extend(str(message) for message in error.messages)
    if messages:
        raise WeakPassword(" ".join(dict.fromkeys(messages)))


def password_reset_link(user: User) -> str:
    """The absolute link of the "set a new password" page for ``user``, valid
    for ``PASSWORD_RESET_TIMEOUT`` seconds and until the password changes."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_reset_tokens.make_token(user)
    return f"{settings.BASE_URL}/akun/sandi/atur/{uidb64}/{token}/"


def user_for_password_reset(*, uidb64: str, token: str) -> User:
    """The active user a reset link is for, or ``InvalidToken`` (tampered,
    expired, already used, unknown or inactive user). Reads only: the page
    calls it before showing the form; ``reset_password`` calls it again."""
    if len(uidb64) > _MAX_PART_LENGTH or len(token) > _MAX_PART_LENGTH:
        raise InvalidToken()
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken() from None
    # A BigAutoField: a larger number would overflow the database's integer.
    user = User.objects.filter(pk=pk, is_active=True).first() if 0 < pk < 2**63 else None
    if user is None or not password_reset_tokens.check_token(user, token):
        raise InvalidToken()
    return user
