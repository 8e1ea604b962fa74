"""Pages for citizens (warga). Thin: read through the catalog selectors, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from antre.catalog import selectors


def home(request: HttpRequest) -> HttpResponse:
    """What antre is for a citizen and the public directory of sites and services."""
    return render(request, "citizen/home.html", {"directory": selectors.public_directory()})
