"""Pages for what Django refuses or what fails: antre's, in the visitor's
language (Indonesian first), never Django's plain English ones."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("antre.ops.tests.urls")]


def page(response) -> str:
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_a_missing_page_says_so_in_indonesian(client):
    response = client.get("/tidak-ada-halaman-ini/")

    assert response.status_code == 404
    body = page(response)
    assert '<html lang="id">' in body
    assert "Halaman tidak ditemukan" in body
    assert 'href="/"' in body
    assert "Not Found" not in body


def test_a_missing_page_in_english(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    body = page(response)
    assert '<html lang="en">' in body
    assert "Page not found" in body


def test_a_forbidden_page(client):
    response = client.get("/forbidden/")

    assert response.status_code == 403
    assert "Akses ditolak" in page(response)


def test_a_malformed_request(client):
    response = client.get("/suspicious/")

    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in page(response)
    assert "Bad Request" not in page(response)


def test_a_failure_is_a_page_that_reassures():
    response = Client(raise_request_exception=False).get("/broken/")

    assert response.status_code == 500
    body = page(response)
    assert "Terjadi kesalahan" in body
    assert "tetap berlaku" in body


def test_a_form_sent_without_its_csrf_token_says_how_to_go_on():
    response = Client(enforce_csrf_checks=True).post(
        "/backoffice/login/", {"username": "petugas", "password": "salah"}
    )

    assert response.status_code == 403
    body = page(response)
    assert "Halaman perlu dimuat ulang" in body
    assert "CSRF verification failed" not in body


def test_the_api_keeps_answering_problems(client):
    response = client.get("/api/v1/tidak-ada")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
