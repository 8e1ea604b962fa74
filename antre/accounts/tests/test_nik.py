import datetime as dt

import pytest

from antre.accounts import nik
from antre.testing.factories import make_nik


def test_a_real_shaped_nik_is_accepted_in_canonical_form():
    assert nik.validate("3275 0101 0190 0001") == "3275010101900001"


def test_women_have_forty_added_to_the_birth_day():
    female = make_nik(7, female=True)
    assert nik.validate(female) == female
    assert nik.birth_date(female) == dt.date(1990, 1, 1)


@pytest.mark.parametrize("province", ["65", "92", "93", "94", "95", "96"])
def test_new_provinces_missing_from_stdnum_are_known(province):
    assert nik.validate(f"{province}01010101900001")


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("327501010190001", "15 digits"),
        ("32750101019000011", "17 digits"),
        ("3275010101900O01", "a letter"),
        ("99750101019000 1", "unknown province 99"),
        ("3200010101900001", "regency 00"),
        ("3255010101900001", "regency in the gap between regencies and cities"),
        ("3275000101900001", "district 00"),
        ("3275013201900001", "day 32"),
        ("3275017201900001", "day 72 (32 + 40)"),
        ("3275013002900001", "30 February"),
        ("3275010113900001", "month 13"),
        ("3275010101900000", "serial 0000"),
        ("٣٢٧٥٠١٠١٠١٩٠٠٠٠١", "Arabic-Indic digits"),
    ],
)
def test_implausible_niks_are_refused(raw, why):
    with pytest.raises(nik.InvalidNik):
        nik.validate(raw)


def test_digest_ignores_spacing_and_mask_hides_the_middle():
    value = make_nik(12)
    assert nik.digest(value) == nik.digest(f" {value[:8]} {value[8:]}")
    assert nik.mask(value) == value[:6] + "********" + value[-2:]


def test_digest_depends_on_the_key(settings):
    value = make_nik(12)
    settings.NIK_HMAC_KEY = "key one"
    first = nik.digest(value)
    settings.NIK_HMAC_KEY = "key two"
    assert nik.digest(value) != first
