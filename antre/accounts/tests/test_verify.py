import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import signing

from antre.accounts.errors import InvalidToken
from antre.accounts.verification import (
    make_verification_token,
    send_verification_email,
    verification_link,
    verify_email,
)
from antre.core import clock
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return f.CitizenFactory(email_verified_at=None, email="Warga@example.id")


def test_a_token_verifies_the_email_now(citizen):
    token = make_verification_token(citizen)

    user = verify_email(token=token)

    citizen.refresh_from_db()
    assert user == citizen
    assert citizen.email_verified_at == clock.now()
    assert AuditEvent.objects.filter(
        action="account.email_verified", target_id=str(citizen.pk)
    ).exists()
    assert OutboxMessage.objects.filter(
        kind="account_email_verified", recipient=citizen.email
    ).exists()


def test_the_token_needs_no_escaping_in_a_url_and_hides_the_email(citizen):
    token = make_verification_token(citizen)

    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", token)
    assert quote(token, safe="") == token
    assert "warga" not in signing.b64_decode(token.split(".")[0].encode()).decode().lower()
    assert verification_link(citizen) == (
        f"{settings.BASE_URL}/akun/verifikasi/?token={make_verification_token(citizen)}"
    )


def test_a_reused_token_returns_the_account_unchanged(citizen, frozen_clock):
    token = make_verification_token(citizen)
    verify_email(token=token)
    verified_at = clock.now()
    frozen_clock.advance(hours=2)

    assert verify_email(token=token) == citizen

    citizen.refresh_from_db()
    assert citizen.email_verified_at == verified_at
    assert AuditEvent.objects.filter(action="account.email_verified").count() == 1
    assert OutboxMessage.objects.filter(kind="account_email_verified").count() == 1


def test_a_token_is_good_for_three_days(citizen, frozen_clock):
    token = make_verification_token(citizen)
    frozen_clock.advance(days=3)

    verify_email(token=token)

    citizen.refresh_from_db()
    assert citizen.email_verified


def test_an_expired_token_is_refused(citizen, frozen_clock):
    token = make_verification_token(citizen)
    frozen_clock.advance(days=4)

    with pytest.raises(InvalidToken) as raised:
        verify_email(token=token)

    assert (raised.value.code, raised.value.status) == ("invalid_token", 422)
    citizen.refresh_from_db()
    assert not citizen.email_verified
    assert not AuditEvent.objects.exists()


def test_an_expired_token_of_a_verified_account_is_no_failure(citizen, frozen_clock):
    token = make_verification_token(citizen)
    verify_email(token=token)
    frozen_clock.advance(days=30)

    assert verify_email(token=token) == citizen


def flip(character):
    return "A" if character != "A" else "B"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda token: token[:-1] + flip(token[-1]), id="signature"),
        pytest.param(lambda token: flip(token[0]) + token[1:], id="payload"),
        pytest.param(lambda token: token.split(".")[0], id="unsigned"),
        pytest.param(lambda token: "", id="empty"),
        pytest.param(lambda token: "bukan-token", id="garbage"),
        pytest.param(lambda token: token + "A" * 500, id="huge"),
    ],
)
def test_a_tampered_token_is_refused(citizen, tamper):
    with pytest.raises(InvalidToken):
        verify_email(token=tamper(make_verification_token(citizen)))

    citizen.refresh_from_db()
    assert not citizen.email_verified


def test_a_value_signed_for_something_else_is_refused(citizen):
    token = make_verification_token(citizen)
    payload = signing.Signer(salt="antre.accounts.verify", sep=".").unsign_object(token)
    other = signing.Signer(salt="something.else", sep=".").sign_object(payload)

    with pytest.raises(InvalidToken):
        verify_email(token=other)


@pytest.mark.parametrize(
    "payload",
    [["u", 1], {"u": "1", "e": "x", "t": 0}, {"u": 1, "e": 5, "t": 0}, {"u": 1, "e": "x"}],
)
def test_a_well_signed_but_malformed_payload_is_refused(citizen, payload):
    token = signing.Signer(salt="antre.accounts.verify", sep=".").sign_object(payload)

    with pytest.raises(InvalidToken):
        verify_email(token=token)


def test_a_token_for_a_deleted_account_is_refused(citizen):
    token = make_verification_token(citizen)
    citizen.delete()

    with pytest.raises(InvalidToken):
        verify_email(token=token)


def test_a_token_for_an_inactive_account_is_refused(citizen):
    token = make_verification_token(citizen)
    citizen.is_active = False
    citizen.save()

    with pytest.raises(InvalidToken):
        verify_email(token=token)


def test_a_token_for_the_previous_email_is_refused(citizen):
    token = make_verification_token(citizen)
    citizen.email = "baru@example.id"
    citizen.save()

    with pytest.raises(InvalidToken):
        verify_email(token=token)


def test_a_change_of_case_only_keeps_the_token_valid(citizen):
    token = make_verification_token(citizen)
    citizen.email = "warga@EXAMPLE.ID"
    citizen.save()

    assert verify_email(token=token) == citizen


def test_a_verified_account_gets_no_new_verification_email():
    verified = f.CitizenFactory()
    unverified = f.CitizenFactory(email_verified_at=None)

    assert send_verification_email(user=verified) is None
    message = send_verification_email(user=unverified)

    assert message is not None
    assert message.kind == "account_verify_email"
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [unverified.email]


def test_the_expiry_is_measured_on_the_antre_clock(citizen, frozen_clock):
    """Signed years ahead of real time, the token is stale five days later by
    the antre clock (the signer's own time.time() would call it fresh)."""
    frozen_clock.move_to(dt.datetime(2031, 1, 1, 9, tzinfo=dt.UTC))
    token = make_verification_token(citizen)
    frozen_clock.advance(days=5)

    with pytest.raises(InvalidToken):
        verify_email(token=token)
