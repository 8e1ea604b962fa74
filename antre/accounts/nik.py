"""The Indonesian national identity number (Nomor Induk Kependudukan).

A NIK is 16 digits: province (2), regency/city (2), district (2), the birth
date as DDMMYY with 40 added to the day for women, and a 4-digit serial.
python-stdnum checks the shape and birth date, but its region table lacks
Kalimantan Utara (65) and the new Papua provinces (92-96), so the provinces
are our own table (../shared/STACK.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from antre.core import clock
from antre.core.errors import InvalidInput

# Kode wilayah provinsi (Kepmendagri 100.1.1-6117/2022 and the 2022 Papua split).
PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

# Regency codes run 01-79 and cities 71-99 within a province; no province has
# more than about 40 of either, so 00 and the empty middle range are implausible.
_MAX_REGENCY = 40
_MIN_CITY = 71


class InvalidNik(InvalidInput):
    code = "invalid_nik"
    title = _("NIK tidak valid")
    default_detail = _("NIK harus 16 angka dengan kode wilayah dan tanggal lahir yang sah.")


def normalise(raw: str) -> str:
    return "".join(ch for ch in str(raw) if not ch.isspace() and ch not in ".-")


def birth_date(nik: str) -> dt.date:
    """The birth date a NIK encodes (women have 40 added to the day)."""
    day = int(nik[6:8])
    if day > 40:
        day -= 40
    month = int(nik[8:10])
    two_digit_year = int(nik[10:12])
    # A NIK holder is at most ~120 years old; the century is the one that does
    # not put the birth date in the future.
    today = clock.now().date()
    century = 2000 if two_digit_year <= today.year % 100 else 1900
    born = dt.date(century + two_digit_year, month, day)
    if born > today:
        # Later this year, a century ago (a birth date still to come is no one's).
        born = dt.date(1900 + two_digit_year, month, day)
    return born


def validate(raw: str) -> str:
    """Return the NIK in canonical form (16 digits) or raise ``InvalidNik``."""
    nik = normalise(raw)
    if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        raise InvalidNik(_("NIK harus tepat 16 angka."))
    if nik[0:2] not in PROVINCES:
        raise InvalidNik(_("Kode provinsi %(code)s pada NIK tidak dikenal.") % {"code": nik[0:2]})
    regency = int(nik[2:4])
    if regency == 0 or _MAX_REGENCY < regency < _MIN_CITY:
        raise InvalidNik(_("Kode kabupaten/kota pada NIK tidak masuk akal."))
    if int(nik[4:6]) == 0:
        raise InvalidNik(_("Kode kecamatan pada NIK tidak masuk akal."))
    try:
        birth_date(nik)
    except ValueError:
        raise InvalidNik(_("Tanggal lahir pada NIK tidak sah.")) from None
    if int(nik[12:16]) == 0:
        raise InvalidNik(_("Nomor urut pada NIK tidak boleh 0000."))
    return nik


def digest(nik: str) -> str:
    """Keyed HMAC-SHA256 of the canonical NIK: equal NIKs give equal digests,
    and the table cannot be reversed without the key."""
    key = settings.NIK_HMAC_KEY.encode()
    return hmac.new(key, normalise(nik).encode(), hashlib.sha256).hexdigest()


def mask(nik: str) -> str:
    """Keep the region (first 6) and the last 2 digits: 327504********12."""
    nik = normalise(nik)
    return nik[:6] + "*" * 8 + nik[-2:]
