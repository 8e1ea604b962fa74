"""In Chromium, under the real Content Security Policy: the API docs draw and
the back office logs in without one refused script, style or image (the
``page`` fixture fails a test on any console error, which is how Chromium
reports a CSP violation)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_the_api_under_the_policy(page):
    response = page.goto("/api/v1/docs")
    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock").first.wait_for(timeout=15000)
    assert page.locator(".opblock").count() > 5


def test_the_back_office_login_page_works_under_the_policy(page):
    response = page.goto("/backoffice/login/")
    assert response is not None
    assert response.status == 200
    page.locator("input[name=username]").wait_for()
