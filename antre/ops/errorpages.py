"""Pages for requests Django refuses before any view of antre's runs.

Django's own are in English and plain. antre's templates ``400.html``,
``403.html``, ``404.html`` and ``500.html`` (antre/templates) replace them by
name; a refused CSRF check needs a view (``CSRF_FAILURE_VIEW``), this one.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (a page left open past its
    session, cookies refused): say so in the visitor's language, and how
    to go on. ``reason`` is Django's, for developers: not shown."""
    return render(request, "403_csrf.html", status=403)
