"""Pages for citizens (warga). Thin: read through the catalog selectors, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from antre.catalog import selectors

# The home page's search box: ``/?cari=sim``.
SEARCH_PARAMETER = "cari"


def home(request: HttpRequest) -> HttpResponse:
    """What antre is for a citizen and the public directory of sites and
    services, searchable (``?cari=``) without JavaScript."""
    directory = selectors.public_directory()
    query = request.GET.get(SEARCH_PARAMETER, "").strip()[: selectors.MAX_SEARCH_LENGTH]
    return render(
        request,
        "citizen/home.html",
        {
            "directory": directory,
            "query": query,
            "matches": selectors.matching_services(directory, query),
        },
    )


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
