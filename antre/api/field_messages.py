"""What is wrong with one field of a request, in the request's language.

A 422 ``invalid_input`` problem lists each bad field as ``{loc, msg, type}``.
``type`` is pydantic's error type (stable, for programs); ``msg`` is for the
people a city app shows it to, so it follows the request's language like the
problem's ``detail``: Indonesian first, English second. pydantic writes its
messages in English only; the types a request to antre can run into are
said here, and any other keeps pydantic's own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

WHOLE_NUMBER = _("Harus bilangan bulat.")
DATE = _("Harus tanggal berformat YYYY-MM-DD.")
DATE_BOUNDS = _("Harus tanggal antara %(first)s dan %(last)s.")
DATETIME = _("Harus waktu ISO 8601 dengan zona waktu, mis. 2026-06-02T09:00:00+07:00.")
TRUE_OR_FALSE = _("Harus true atau false.")
ONE_OF = _("Harus salah satu dari: %(expected)s.")
OBJECT = _("Harus objek JSON.")
UUID = _("Harus UUID.")
OR = _(" atau ")

# pydantic's error type -> the message; ``%(name)s`` takes the error's context.
MESSAGES: Mapping[str, Promise] = {
    "missing": _("Wajib diisi."),
    "int_type": WHOLE_NUMBER,
    "int_parsing": WHOLE_NUMBER,
    "int_from_float": WHOLE_NUMBER,
    "int_parsing_size": _("Angkanya terlalu besar."),
    "float_type": _("Harus angka."),
    "float_parsing": _("Harus angka."),
    "string_type": _("Harus teks."),
    "string_too_short": _("Paling sedikit %(min_length)s karakter."),
    "string_too_long": _("Paling banyak %(max_length)s karakter."),
    "string_pattern_mismatch": _("Bentuknya tidak sesuai."),
    "greater_than": _("Harus lebih dari %(gt)s."),
    "greater_than_equal": _("Paling kecil %(ge)s."),
    "less_than": _("Harus kurang dari %(lt)s."),
    "less_than_equal": _("Paling besar %(le)s."),
    "bool_type": TRUE_OR_FALSE,
    "bool_parsing": TRUE_OR_FALSE,
    "date_type": DATE,
    "date_parsing": DATE,
    "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "datetime_type": DATETIME,
    "datetime_parsing": DATETIME,
    "datetime_from_date_parsing": DATETIME,
    "timezone_aware": DATETIME,
    "enum": ONE_OF,
    "literal_error": ONE_OF,
    "list_type": _("Harus daftar (array JSON)."),
    "too_short": _("Paling sedikit %(min_length)s butir."),
    "too_long": _("Paling banyak %(max_length)s butir."),
    "model_type": OBJECT,
    "model_attributes_type": OBJECT,
    "dict_type": OBJECT,
    "extra_forbidden": _("Kolom ini tidak dikenal."),
    "uuid_type": UUID,
    "uuid_parsing": UUID,
    "json_invalid": _("Bukan JSON yang valid."),
}


def field_message(error: Mapping[str, Any]) -> str:
    """``error``'s message (one of pydantic's ``errors()``) in the active language.

    A validator of antre's own (``value_error``) says what it raised, without
    pydantic's English "Value error, " in front."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        return str(context["error"])
    message = MESSAGES.get(kind)
    if message is None:
        return str(error.get("msg", ""))
    values = {name: str(value) for name, value in context.items()}
    if "expected" in values:
        values["expected"] = _choices(values["expected"])
    try:
        return str(message) % values
    except (KeyError, TypeError, ValueError):
        # A context without the value the message names: pydantic's own words.
        return str(error.get("msg", "")) or str(message)


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" with the language's "or"."""
    head, separator, last = expected.rpartition(" or ")
    return f"{head}{OR}{last}" if separator else expected
