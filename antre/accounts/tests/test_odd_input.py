"""Odd input at registration, below the API: the NIK validator, the
registration service and the registration page. Whatever is typed, the answer
is the domain's own refusal (``InvalidNik`` and friends, a form error on the
page), never another exception, and a refusal creates nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from antre.accounts import nik as nik_module
from antre.accounts.models import User
from antre.accounts.services import register_citizen
from antre.core.errors import DomainError
from antre.notifications.models import OutboxMessage

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_PIECES = [
    "\u202e",
    "\u200f",
    "\u200b",
    "\ufeff",
    "e\u0301\u0301",
    "\x00",
    "\ud800",
    "\U0001f600",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "３２７５０１",  # full-width digits
    "٣٢٧٥٠١",  # Arabic-Indic digits
    "3275014101900001",
    " ",
    "-",
    ".",
]
odd_text = st.one_of(
    st.lists(st.sampled_from(ODD_PIECES), min_size=1, max_size=5).map("".join),
    st.text(alphabet=st.characters(codec=None), max_size=30),
    st.sampled_from(["3" * 100_000, "x" * 10_000]),
)


def nik_with_birth(day: int, month: int, year: int, *, female: bool = False) -> str:
    return f"327501{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}0001"


@PROPERTY
@given(raw=odd_text)
@example(raw="3275014101900001\x00")
@example(raw="３２７５０１４１０１９０００１")
@example(raw="3275\u200b014101900001")
def test_the_nik_validator_answers_a_canonical_nik_or_invalid_nik(raw: str) -> None:
    try:
        canonical = nik_module.validate(raw)
    except nik_module.InvalidNik:
        return
    assert len(canonical) == 16
    assert canonical.isascii()
    assert canonical.isdigit()


@pytest.mark.parametrize(
    ("nik", "valid"),
    [
        (nik_with_birth(29, 2, 2000), True),  # a leap year
        (nik_with_birth(29, 2, 2024, female=True), True),
        (nik_with_birth(29, 2, 2023), False),  # not a leap year
        (nik_with_birth(29, 2, 1900), True),  # 00 is read as 2000, a leap year
        (nik_with_birth(31, 4, 1990), False),
        (nik_with_birth(1, 13, 1990), False),
        (nik_with_birth(0, 1, 1990), False),
        (nik_with_birth(32, 1, 1990, female=True), False),  # day 72
        (nik_with_birth(1, 6, 2026), True),  # born yesterday (the clock: 2 June 2026)
        # December of this year has not come yet: a century ago, not in the future.
        (nik_with_birth(1, 12, 2026), True),
    ],
)
def test_birth_dates_in_the_nik(nik: str, valid: bool) -> None:
    if not valid:
        with pytest.raises(nik_module.InvalidNik):
            nik_module.validate(nik)
        return
    assert nik_module.validate(nik) == nik
    assert nik_module.birth_date(nik) <= dt.date(2026, 6, 2)


def test_a_birth_date_later_this_year_is_read_a_century_back() -> None:
    assert nik_module.birth_date(nik_with_birth(1, 12, 2026)) == dt.date(1926, 12, 1)
    assert nik_module.birth_date(nik_with_birth(1, 5, 2026)) == dt.date(2026, 5, 1)


@pytest.mark.django_db
@PROPERTY
@given(
    email=odd_text | st.just("warga.baru@contoh.id"),
    password=odd_text | st.just("rahasia-Kuat-123"),
    full_name=odd_text | st.just("Siti Rahmawati"),
    nik=odd_text | st.just("3275014101900001"),
    phone=odd_text | st.just(""),
)
def test_the_registration_service_refuses_odd_input_with_a_domain_error(
    email: str, password: str, full_name: str, nik: str, phone: str
) -> None:
    users, messages = User.objects.count(), OutboxMessage.objects.count()
    try:
        user = register_citizen(
            email=email, password=password, full_name=full_name, nik=nik, phone=phone
        )
    except DomainError:
        assert (User.objects.count(), OutboxMessage.objects.count()) == (users, messages)
        return
    for value in (user.email, user.full_name, user.nik, user.phone):
        assert "\x00" not in value
        assert not any("\ud800" <= ch <= "\udfff" for ch in value)
    user.delete()


@pytest.mark.django_db
@PROPERTY
@given(
    fields=st.fixed_dictionaries(
        {
            "full_name": odd_text | st.just("Siti Rahmawati"),
            "nik": odd_text | st.just("3275014101900001"),
            "email": odd_text | st.just("warga.baru@contoh.id"),
            "phone": odd_text | st.just(""),
            "password": odd_text | st.just("rahasia-Kuat-123"),
        }
    )
)
def test_the_registration_page_answers_odd_input_with_form_errors(
    client: Client, settings: Any, fields: dict[str, str]
) -> None:
    settings.ANTRE_RATE_LIMITS_ENABLED = False
    # A form field arrives as UTF-8 from a browser: a lone surrogate cannot.
    data = {key: value.encode("utf-8", "replace").decode() for key, value in fields.items()}
    data["password_confirmation"] = data["password"]
    users = User.objects.count()

    response = client.post("/akun/daftar/", data)

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert response.context["form"].errors
        assert User.objects.count() == users
    else:
        User.objects.filter(email__iexact=data["email"].strip()).delete()
