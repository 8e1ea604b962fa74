"""The project's URLs plus a page that fails, for the error-report tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("lookup of NIK 3275010101900001 failed")


urlpatterns = [
    path("broken/", broken, name="broken"),
    path("", include("config.urls")),
]
