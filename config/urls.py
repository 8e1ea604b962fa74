from django.contrib import admin
from django.urls import include, path

from antre.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("backoffice/", admin.site.urls),
    path("", include("antre.citizen.urls")),
]
