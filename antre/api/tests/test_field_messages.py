"""Each bad field's ``msg`` in a 422 problem follows the request's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from antre.api.field_messages import MESSAGES, field_message
from antre.api.tests.conftest import assert_problem


def messages(body: dict) -> dict[tuple, str]:
    return {tuple(error["loc"]): error["msg"] for error in body["errors"]}


def test_bad_query_values_are_said_in_indonesian_by_default(client, db):
    body = assert_problem(client.get("/api/v1/sites?limit=abc&offset=-1"), 422, "invalid_input")

    assert messages(body) == {
        ("query", "limit"): "Harus bilangan bulat.",
        ("query", "offset"): "Paling kecil 0.",
    }
    types = {tuple(error["loc"]): error["type"] for error in body["errors"]}
    assert types == {("query", "limit"): "int_parsing", ("query", "offset"): "greater_than_equal"}


def test_and_in_english_when_the_request_asks_for_it(client, db):
    response = client.get("/api/v1/sites?limit=abc&offset=-1", headers={"accept-language": "en"})

    body = assert_problem(response, 422, "invalid_input")
    assert messages(body) == {
        ("query", "limit"): "Must be a whole number.",
        ("query", "offset"): "At least 0.",
    }


def test_a_missing_availability_parameter_and_a_date_antre_refuses(client, db):
    response = client.get("/api/v1/availability?service=layanan-a&from=2026-6-2")

    body = assert_problem(response, 422, "invalid_input")
    assert messages(body) == {
        ("query", "site"): "Wajib diisi.",
        # antre's own validator, without pydantic's English "Value error, ".
        ("query", "from"): "Harus tanggal berformat YYYY-MM-DD.",
    }

    english = client.get(
        "/api/v1/availability?service=layanan-a&from=2026-6-2", headers={"accept-language": "en"}
    )
    assert messages(english.json())[("query", "from")] == "Must be a date in the form YYYY-MM-DD."


def test_a_choice_lists_the_choices_with_the_languages_or():
    error = {
        "type": "enum",
        "msg": "Input should be 'confirmed', 'cancelled' or 'completed'",
        "ctx": {"expected": "'confirmed', 'cancelled' or 'completed'"},
    }
    with translation.override("id"):
        assert field_message(error) == (
            "Harus salah satu dari: 'confirmed', 'cancelled' atau 'completed'."
        )
    with translation.override("en"):
        assert field_message(error) == "Must be one of: 'confirmed', 'cancelled' or 'completed'."


def test_an_error_type_antre_does_not_know_keeps_pydantics_words():
    error = {"type": "url_scheme", "msg": "URL scheme should be 'https'", "ctx": {}}

    with translation.override("id"):
        assert field_message(error) == "URL scheme should be 'https'"


def test_a_context_without_the_value_a_message_names_keeps_pydantics_words():
    error = {"type": "string_too_long", "msg": "String should have at most 5 characters"}

    with translation.override("id"):
        assert field_message(error) == "String should have at most 5 characters"


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_every_message_reads_in_both_languages(kind):
    context = {
        "min_length": 1,
        "max_length": 5,
        "gt": 0,
        "ge": 0,
        "lt": 9,
        "le": 9,
        "expected": "'a' or 'b'",
    }
    error = {"type": kind, "msg": "pydantic", "ctx": context}
    with translation.override("id"):
        indonesian = field_message(error)
    with translation.override("en"):
        english = field_message(error)

    assert indonesian
    assert english
    assert "pydantic" not in (indonesian, english)
    assert "%(" not in indonesian + english
    assert indonesian != english
