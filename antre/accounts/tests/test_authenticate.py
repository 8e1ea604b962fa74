import pytest

from antre.accounts.errors import InvalidCredentials, InvalidName, InvalidPhone
from antre.accounts.models import Role
from antre.accounts.services import authenticate_citizen, update_profile
from antre.core.models import AuditEvent
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-Kuat-123"  # the factories' password


def test_a_citizen_signs_in_with_any_case_of_their_email():
    citizen = f.CitizenFactory(email="Rina@example.id")

    assert authenticate_citizen(email=" rina@EXAMPLE.id ", password=PASSWORD) == citizen


def test_an_unverified_citizen_may_sign_in():
    citizen = f.CitizenFactory(email_verified_at=None)

    assert authenticate_citizen(email=citizen.email, password=PASSWORD) == citizen


@pytest.mark.parametrize(
    "case", ["wrong password", "unknown email", "empty email", "inactive", "staff"]
)
def test_every_refusal_looks_the_same(case):
    citizen = f.CitizenFactory(email="rina@example.id", is_active=case != "inactive")
    f.StaffFactory(email="petugas@example.id", role=Role.CITY_ADMIN)
    email, password = {
        "wrong password": (citizen.email, "salah-sandi-123"),
        "unknown email": ("siapa@example.id", PASSWORD),
        "empty email": ("", PASSWORD),
        "inactive": (citizen.email, PASSWORD),
        "staff": ("petugas@example.id", PASSWORD),
    }[case]

    with pytest.raises(InvalidCredentials) as raised:
        authenticate_citizen(email=email, password=password)

    assert (raised.value.code, raised.value.status) == ("invalid_credentials", 401)
    assert str(raised.value.detail) == str(InvalidCredentials.default_detail)


def test_profile_update_normalises_and_audits_the_changed_fields_only():
    citizen = f.CitizenFactory(full_name="Rina", phone="+6281234567890")

    update_profile(user=citizen, full_name="  Rina   Wulandari ", phone="0812 3456 7890")

    citizen.refresh_from_db()
    assert citizen.full_name == "Rina Wulandari"
    assert str(citizen.phone) == "+6281234567890"
    event = AuditEvent.objects.get(action="account.profile_updated")
    assert event.data == {"fields": ["full_name"]}


def test_profile_update_without_changes_writes_nothing():
    citizen = f.CitizenFactory(full_name="Rina", phone="+6281234567890")

    update_profile(user=citizen, full_name="Rina", phone="+62 812-3456-7890")

    assert not AuditEvent.objects.exists()


def test_profile_update_can_remove_the_phone():
    citizen = f.CitizenFactory(phone="+6281234567890")

    update_profile(user=citizen, full_name=citizen.full_name, phone="")

    citizen.refresh_from_db()
    assert str(citizen.phone) == ""


@pytest.mark.parametrize(
    ("full_name", "phone", "error"),
    [("", "", InvalidName), ("123", "", InvalidName), ("Rina", "0000", InvalidPhone)],
)
def test_profile_update_refuses_invalid_input(full_name, phone, error):
    citizen = f.CitizenFactory(full_name="Rina Lama")

    with pytest.raises(error):
        update_profile(user=citizen, full_name=full_name, phone=phone)

    citizen.refresh_from_db()
    assert citizen.full_name == "Rina Lama"
