from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from antre.accounts.models import ApiToken
from antre.accounts.tokens import (
    authenticate_token,
    create_api_token,
    revoke_api_token,
)
from antre.core import clock
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def test_create_api_token_stores_only_the_digest_and_a_prefix() -> None:
    user = f.UserFactory()

    token, raw = create_api_token(user=user, name="kiosk 1")

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.prefix == raw[:8]
    assert len(raw) >= 40
    assert raw not in {stored.digest, stored.name, stored.prefix}
    assert stored.name == "kiosk 1"
    assert stored.expires_at is None


def test_a_token_authenticates_its_user_and_records_the_use() -> None:
    user = f.UserFactory()
    token, raw = create_api_token(user=user, name="")

    assert authenticate_token(raw) == user
    token.refresh_from_db()
    assert token.last_used_at == clock.now()


def test_unknown_or_empty_tokens_are_refused() -> None:
    create_api_token(user=f.UserFactory(), name="")

    assert authenticate_token("not-a-token") is None
    assert authenticate_token("") is None
    assert authenticate_token("x" * 1000) is None


def test_a_revoked_token_is_refused() -> None:
    token, raw = create_api_token(user=f.UserFactory(), name="")

    assert revoke_api_token(token=token)
    assert not revoke_api_token(token=token)
    assert authenticate_token(raw) is None


def test_an_expired_token_is_refused(frozen_clock: clock.FrozenClock) -> None:
    _token, raw = create_api_token(
        user=f.UserFactory(), name="", expires_at=clock.now() + dt.timedelta(hours=1)
    )
    assert authenticate_token(raw) is not None

    frozen_clock.advance(dt.timedelta(hours=1))

    assert authenticate_token(raw) is None


def test_the_token_of_an_inactive_user_is_refused() -> None:
    _token, raw = create_api_token(user=f.UserFactory(is_active=False), name="")

    assert authenticate_token(raw) is None
