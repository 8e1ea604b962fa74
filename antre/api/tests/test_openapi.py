"""The served OpenAPI document describes the contract (API.md), and the docs
page works offline (bundled Swagger UI, no CDN)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

# API.md, "Directory (public, no auth)": method and path of every row.
DIRECTORY = [
    ("get", "/api/v1/sites"),
    ("get", "/api/v1/sites/{site}/services"),
    ("get", "/api/v1/availability"),
]
PROBLEM_SCHEMAS = {"#/components/schemas/Problem", "#/components/schemas/ValidationProblem"}


@pytest.fixture
def schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


@pytest.mark.parametrize(("method", "path"), DIRECTORY)
def test_every_directory_endpoint_of_the_contract_is_in_the_schema(schema, method, path):
    assert method in schema["paths"].get(path, {}), f"{method.upper()} {path} missing"


@pytest.mark.parametrize(("method", "path"), DIRECTORY)
def test_directory_endpoints_are_public(schema, method, path):
    assert "security" not in schema["paths"][path][method]


def test_availability_documents_from_and_to_as_dates(schema):
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/availability"]["get"]["parameters"]
    }

    assert parameters["site"]["required"] is True
    assert parameters["service"]["required"] is True
    for name in ("from", "to"):
        assert parameters[name]["required"] is False
        assert {"type": "string", "format": "date"} in parameters[name]["schema"]["anyOf"]
        assert "Default" in parameters[name]["description"]
    assert "31 days" in parameters["to"]["description"]


def test_every_operation_declares_422_as_a_problem(schema):
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        assert "422" in responses, f"{method.upper()} {path} does not declare 422"
        content = responses["422"]["content"]
        assert list(content) == ["application/problem+json"], f"{method.upper()} {path}"
        assert content["application/problem+json"]["schema"]["$ref"] in PROBLEM_SCHEMAS


def test_every_error_response_is_a_problem(schema):
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]
            assert list(content) == ["application/problem+json"], f"{method} {path} {status}"
            assert content["application/problem+json"]["schema"]["$ref"] in PROBLEM_SCHEMAS


def test_lookups_declare_404(schema):
    for path in ("/api/v1/sites/{site}/services", "/api/v1/availability"):
        assert "404" in schema["paths"][path]["get"]["responses"]


def test_problem_schema_has_the_rfc_9457_members(schema):
    problem = schema["components"]["schemas"]["Problem"]

    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    validation = schema["components"]["schemas"]["ValidationProblem"]
    assert "errors" in validation["properties"]


def test_bearer_security_scheme_is_documented(schema):
    scheme = schema["components"]["securitySchemes"]["BearerAuth"]

    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"


def test_description_states_the_conventions(schema):
    description = schema["info"]["description"]

    for convention in (
        "Authorization: Bearer",
        "Idempotency-Key",
        "?limit=",
        "application/problem+json",
        "/api/v1/problems/{code}",
        "+07:00",
        "Retry-After",
    ):
        assert convention in description


def test_docs_page_uses_bundled_assets_only(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert references
    for reference in references:
        assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", reference, re.IGNORECASE), reference
        assert reference.startswith("/static/")
        assert finders.find(reference.removeprefix("/static/")), reference
    assert "cdn" not in html.lower()
    # Swagger UI would fetch a badge from validator.swagger.io without this.
    assert '"validatorUrl": null' in html
