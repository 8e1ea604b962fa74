"""Antre's versions of Django's middleware answer as Django's would: the
slash redirect, messages on pages, the CSP header."""

import re

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware as DjangoCSPMiddleware
from django.test import RequestFactory

from antre.ops.middleware import ContentSecurityPolicyMiddleware, MessageMiddleware

pytestmark = pytest.mark.django_db


def test_a_page_path_without_its_slash_still_redirects(client):
    response = client.get("/kiosk/mpp-kota")
    assert response.status_code == 301
    assert response["Location"] == "/kiosk/mpp-kota/"


def test_an_unknown_api_path_is_a_problem_not_a_redirect(client):
    for path in ("/api/v1/nope", "/api/v1/sites/x/y"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
        assert response["Content-Language"] == "en"


def test_the_api_has_no_message_storage_and_pages_keep_theirs(rf: RequestFactory):
    api = rf.get("/api/v1/sites")
    MessageMiddleware(lambda request: HttpResponse())(api)
    assert not hasattr(api, "_messages")
    assert list(get_messages(api)) == []
    page = rf.get("/")
    page.session = {}  # type: ignore[assignment]
    MessageMiddleware(lambda request: HttpResponse())(page)
    assert hasattr(page, "_messages")


@pytest.mark.parametrize("path", ["/", "/api/v1/sites", "/backoffice/login/"])
def test_the_policy_is_the_one_django_would_send(client, path):
    response = client.get(path)
    request = RequestFactory().get(path)
    DjangoCSPMiddleware(lambda request: None).process_request(request)
    expected = DjangoCSPMiddleware(lambda request: None).process_response(request, HttpResponse())
    header = response["Content-Security-Policy"]
    # A page that used its nonce names it; the rest is the same.
    assert re.sub(r" 'nonce-[^']+'", "", header) == expected["Content-Security-Policy"]


def test_a_used_nonce_is_each_responses_own_and_a_new_config_is_read(rf, settings):
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    seen = set()
    for _ in range(2):
        request = rf.get("/")
        middleware.process_request(request)
        str(request._csp_nonce)
        seen.add(middleware.process_response(request, HttpResponse())["Content-Security-Policy"])
    assert len(seen) == 2
    settings.SECURE_CSP = {"default-src": ["'none'"]}
    request = rf.get("/")
    middleware.process_request(request)
    response = middleware.process_response(request, HttpResponse())
    assert response["Content-Security-Policy"] == "default-src 'none'"
