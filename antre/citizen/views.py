from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from antre.catalog import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/home.html", {"sites": selectors.public_sites()})
