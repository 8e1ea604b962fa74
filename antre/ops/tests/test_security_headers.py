"""The security headers and Django's Content Security Policy on real pages."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_a_page_carries_the_security_headers_and_a_strict_csp(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = csp_directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'self'" in policy[directive]
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]


@pytest.mark.parametrize("path", ["/", "/backoffice/login/", "/api/v1/docs"])
def test_pages_hold_no_inline_script_or_style_that_the_policy_would_block(client, path):
    body = client.get(path).content.decode()
    # A <script> without src runs inline, unless it is a JSON data block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body)
    assert inline == []
    assert "<style" not in body
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"\son[a-z]+=", body)  # onclick= and friends


def test_https_deployments_get_hsts_and_secure_cookies(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert "Content-Security-Policy" in response


def test_the_api_docs_still_render_under_the_policy(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', body)
    assert sources, "Swagger UI's scripts"
    assert all(source.startswith("/static/") for source in sources)
    assert "cdn" not in body.lower()
    assert "Content-Security-Policy" in response


def test_a_nonce_is_offered_to_templates_that_need_one(rf):
    from django.middleware.csp import ContentSecurityPolicyMiddleware
    from django.template import engines
    from django.template.context_processors import csp

    request = rf.get("/")
    ContentSecurityPolicyMiddleware(lambda request: None).process_request(request)
    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">x</script>')
    html = template.render(csp(request), request)
    nonce = re.search(r'nonce="([^"]+)"', html).group(1)
    from django.http import HttpResponse

    response = ContentSecurityPolicyMiddleware(lambda request: None).process_response(
        request, HttpResponse(html)
    )
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
