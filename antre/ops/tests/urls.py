"""The project's URLs plus pages that fail, for the error-report and
error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from config.urls import handler500

__all__ = ["handler500", "urlpatterns"]


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("lookup of NIK 3275010101900001 failed")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


urlpatterns = [
    path("broken/", broken, name="broken"),
    path("forbidden/", forbidden),
    path("suspicious/", suspicious),
    path("", include("config.urls")),
]
