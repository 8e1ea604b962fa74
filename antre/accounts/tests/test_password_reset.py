import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from antre.accounts import services
from antre.accounts.errors import InvalidEmail, InvalidToken, WeakPassword
from antre.accounts.models import User
from antre.accounts.passwords import password_reset_link, user_for_password_reset
from antre.accounts.services import request_password_reset, reset_password
from antre.core import clock
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "rahasia-Kuat-123"  # the factories' password
NEW_PASSWORD = "Sandi-baru-2026"
LINK = re.compile(r"/akun/sandi/atur/([A-Za-z0-9_\-]+)/([A-Za-z0-9\-]+)/")


@pytest.fixture
def citizen():
    return f.CitizenFactory(email="Budi@example.id")


def link_parts():
    message = OutboxMessage.objects.get(kind="account_password_reset")
    match = LINK.search(message.body_text)
    return {"uidb64": match[1], "token": match[2]}


def test_an_unknown_email_gets_nothing_and_learns_nothing():
    assert request_password_reset(email="tidak-ada@example.id") is None

    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("email", ["", "   ", "bukan-email", "budi@", "x" * 500])
def test_nonsense_is_refused_as_no_email_and_gets_nothing(email):
    with pytest.raises(InvalidEmail):
        request_password_reset(email=email)

    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.exists()


def test_inactive_accounts_and_unusable_passwords_get_nothing():
    f.CitizenFactory(email="nonaktif@example.id", is_active=False)
    no_password = f.CitizenFactory(email="tanpa-sandi@example.id")
    no_password.set_unusable_password()
    no_password.save()

    request_password_reset(email="nonaktif@example.id")
    request_password_reset(email="tanpa-sandi@example.id")

    assert not OutboxMessage.objects.exists()


def test_a_known_email_in_any_case_gets_a_link(citizen):
    request_password_reset(email=" BUDI@Example.ID ")

    message = OutboxMessage.objects.get(kind="account_password_reset")
    assert message.recipient == "Budi@example.id"
    assert f"{settings.BASE_URL}/akun/sandi/atur/" in message.body_text
    assert AuditEvent.objects.filter(action="account.password_reset_requested").count() == 1


def test_the_link_sets_a_new_password_once(citizen):
    request_password_reset(email=citizen.email)
    parts = link_parts()

    user = reset_password(**parts, new_password=NEW_PASSWORD)

    citizen.refresh_from_db()
    assert user == citizen
    assert citizen.check_password(NEW_PASSWORD)
    assert not citizen.check_password(OLD_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_reset").count() == 1
    with pytest.raises(InvalidToken) as raised:
        reset_password(**parts, new_password="Sandi-lain-2027")
    assert (raised.value.code, raised.value.status) == ("invalid_token", 422)
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_the_link_works_for_an_hour(citizen, frozen_clock):
    request_password_reset(email=citizen.email)
    frozen_clock.advance(minutes=59)

    reset_password(**link_parts(), new_password=NEW_PASSWORD)

    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_the_link_fails_after_an_hour(citizen, frozen_clock):
    request_password_reset(email=citizen.email)
    frozen_clock.advance(hours=1, seconds=1)

    with pytest.raises(InvalidToken):
        reset_password(**link_parts(), new_password=NEW_PASSWORD)

    citizen.refresh_from_db()
    assert citizen.check_password(OLD_PASSWORD)


def test_a_login_after_the_request_ends_the_link(citizen):
    request_password_reset(email=citizen.email)
    citizen.last_login = clock.now()
    citizen.save()

    with pytest.raises(InvalidToken):
        user_for_password_reset(**link_parts())


def test_a_weak_new_password_is_refused_and_the_link_still_works(citizen):
    request_password_reset(email=citizen.email)
    parts = link_parts()

    with pytest.raises(WeakPassword) as raised:
        reset_password(**parts, new_password="12345")
    assert raised.value.code == "weak_password"
    citizen.refresh_from_db()
    assert citizen.check_password(OLD_PASSWORD)

    reset_password(**parts, new_password=NEW_PASSWORD)


def test_two_resets_racing_with_one_link_set_one_password(citizen, monkeypatch):
    """The second request passed the token check before the first one wrote:
    the UPDATE guarded on the old hash refuses it."""
    request_password_reset(email=citizen.email)
    parts = link_parts()
    check = services.check_password_strength

    def first_request_writes_meanwhile(password, *, user):
        check(password, user=user)
        User.objects.filter(pk=user.pk).update(password="argon2$ditulis-oleh-yang-lain")

    monkeypatch.setattr(services, "check_password_strength", first_request_writes_meanwhile)

    with pytest.raises(InvalidToken):
        reset_password(**parts, new_password=NEW_PASSWORD)

    assert not AuditEvent.objects.filter(action="account.password_reset").exists()


@pytest.mark.parametrize(
    ("uidb64", "token"),
    [
        ("", ""),
        ("bm90LWEtbnVtYmVy", "x-y"),  # "not-a-number"
        (urlsafe_base64_encode(force_bytes(10**30)), "x-y"),
        (urlsafe_base64_encode(force_bytes(999_999)), "x-y"),
        ("%%%", "x-y"),
        ("A" * 200, "x-y"),
    ],
)
def test_a_malformed_link_is_refused(citizen, uidb64, token):
    with pytest.raises(InvalidToken):
        reset_password(uidb64=uidb64, token=token, new_password=NEW_PASSWORD)


def test_a_tampered_token_is_refused(citizen):
    request_password_reset(email=citizen.email)
    parts = link_parts()
    last = parts["token"][-1]
    parts["token"] = parts["token"][:-1] + ("0" if last != "0" else "1")

    with pytest.raises(InvalidToken):
        reset_password(**parts, new_password=NEW_PASSWORD)


def test_a_link_for_another_account_is_refused(citizen):
    other = f.CitizenFactory()
    request_password_reset(email=citizen.email)
    parts = link_parts()
    parts["uidb64"] = urlsafe_base64_encode(force_bytes(other.pk))

    with pytest.raises(InvalidToken):
        reset_password(**parts, new_password=NEW_PASSWORD)


def test_a_token_of_djangos_default_generator_is_refused(citizen):
    uidb64 = urlsafe_base64_encode(force_bytes(citizen.pk))

    with pytest.raises(InvalidToken):
        user_for_password_reset(uidb64=uidb64, token=default_token_generator.make_token(citizen))


def test_the_link_has_the_agreed_shape(citizen):
    link = password_reset_link(citizen)

    uidb64 = urlsafe_base64_encode(force_bytes(citizen.pk))
    assert link.startswith(f"{settings.BASE_URL}/akun/sandi/atur/{uidb64}/")
    assert link.endswith("/")
    assert LINK.search(link)
