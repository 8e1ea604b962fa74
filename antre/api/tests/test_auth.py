"""Bearer tokens: ``Authorization: Bearer <token>`` makes ``request.auth`` the
token's user; anything else is a 401 ``unauthenticated`` problem."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from antre.accounts import tokens
from antre.accounts.models import ApiToken
from antre.accounts.tokens import authenticate_token, create_api_token
from antre.core import clock
from antre.testing import factories as f

pytestmark = pytest.mark.urls("antre.api.tests.urls")


def whoami(client, token: str | None = None, scheme: str = "Bearer"):
    headers = {"authorization": f"{scheme} {token}"} if token is not None else {}
    return client.get("/api/v1/whoami", headers=headers)


def assert_unauthenticated(response, *, invalid_token: bool) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "unauthenticated"
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid_token


@pytest.fixture
def user(db):
    return f.UserFactory(username="kiosk-1")


def test_valid_token_authenticates_its_user(client, user):
    _, raw = create_api_token(user=user, name="kiosk")

    response = whoami(client, raw)

    assert response.status_code == 200
    assert response.json() == {"username": "kiosk-1"}


def test_scheme_is_case_insensitive(client, user):
    _, raw = create_api_token(user=user, name="kiosk")

    assert whoami(client, raw, scheme="bearer").status_code == 200


def test_no_header_is_unauthenticated(client, db):
    assert_unauthenticated(whoami(client), invalid_token=False)


@pytest.mark.parametrize("garbage", ["nonsense", "x" * 500, "ünïcode", '"quoted"'])
def test_garbage_token_is_unauthenticated(client, db, garbage):
    assert_unauthenticated(whoami(client, garbage), invalid_token=True)


def test_other_scheme_is_unauthenticated(client, user):
    _, raw = create_api_token(user=user, name="kiosk")

    assert_unauthenticated(whoami(client, raw, scheme="Basic"), invalid_token=False)


def test_revoked_token_is_unauthenticated(client, user):
    token, raw = create_api_token(user=user, name="kiosk")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=clock.now())

    assert_unauthenticated(whoami(client, raw), invalid_token=True)


def test_expired_token_is_unauthenticated(client, user, frozen_clock):
    _, raw = create_api_token(
        user=user, name="kiosk", expires_at=clock.now() + dt.timedelta(hours=1)
    )
    assert whoami(client, raw).status_code == 200

    frozen_clock.advance(hours=1)

    assert_unauthenticated(whoami(client, raw), invalid_token=True)


def test_token_of_an_inactive_user_is_unauthenticated(client, user):
    _, raw = create_api_token(user=user, name="kiosk")
    user.is_active = False
    user.save()

    assert_unauthenticated(whoami(client, raw), invalid_token=True)


def test_only_the_digest_is_stored(user):
    token, raw = create_api_token(user=user, name="kiosk")

    stored = ApiToken.objects.values().get(pk=token.pk)
    assert raw not in {str(value) for value in stored.values()}
    assert len(token.digest) == 64
    assert token.prefix == raw[:8]


def test_last_used_is_written_at_most_once_a_minute(user, frozen_clock, django_assert_num_queries):
    token, raw = create_api_token(user=user, name="kiosk")

    assert authenticate_token(raw) == user
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use == clock.now()

    frozen_clock.advance(seconds=30)
    with django_assert_num_queries(1):  # the lookup, no write
        assert authenticate_token(raw) == user
    token.refresh_from_db()
    assert token.last_used_at == first_use

    frozen_clock.advance(seconds=31)
    assert authenticate_token(raw) == user
    token.refresh_from_db()
    assert token.last_used_at == clock.now()


def test_uses_are_written_together_every_flush_interval(
    user, frozen_clock, settings, monkeypatch, django_assert_num_queries
):
    settings.ANTRE_TOKEN_USES_FLUSH_MS = 5000
    uses = tokens.UseLog()
    monkeypatch.setattr(tokens, "USES", uses)
    first, raw_first = create_api_token(user=user, name="a")
    second, raw_second = create_api_token(user=user, name="b")

    with django_assert_num_queries(2):  # two lookups, no write
        assert authenticate_token(raw_first) == user
        frozen_clock.advance(seconds=1)
        assert authenticate_token(raw_second) == user
    first.refresh_from_db()
    assert first.last_used_at is None

    with django_assert_num_queries(1):  # both in one statement
        uses.flush()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.last_used_at == second.last_used_at == clock.now()
    uses.flush()  # nothing noted since: no statement


def test_token_command_prints_a_token_that_authenticates(client, user):
    out = StringIO()

    call_command("token", "create", "--user", "kiosk-1", "--name", "kiosk 1", stdout=out)

    raw = out.getvalue().split()[-1]
    assert whoami(client, raw).json() == {"username": "kiosk-1"}
    token = ApiToken.objects.get(user=user)
    assert token.name == "kiosk 1"
    assert token.expires_at is None


def test_token_command_sets_an_expiry(client, user, frozen_clock):
    out = StringIO()

    call_command("token", "create", "--user", "kiosk-1", "--expires-days", "30", stdout=out)

    raw = out.getvalue().split()[-1]
    assert ApiToken.objects.get(user=user).expires_at == clock.now() + dt.timedelta(days=30)
    frozen_clock.advance(days=31)
    assert_unauthenticated(whoami(client, raw), invalid_token=True)


def test_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "create", "--user", "nobody", stdout=StringIO())


def test_token_command_refuses_a_non_positive_expiry(user):
    with pytest.raises(CommandError, match="expires-days"):
        call_command(
            "token", "create", "--user", "kiosk-1", "--expires-days", "0", stdout=StringIO()
        )
